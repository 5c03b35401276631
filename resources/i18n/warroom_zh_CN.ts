<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ChartPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="183"/>
        <source>crit</source>
        <translation>严重</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="183"/>
        <source>warn</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="308"/>
        <source>No series selected</source>
        <translation>未选择序列</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="310"/>
        <source>Waiting for data</source>
        <translation>等待数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="312"/>
        <source>No data for %1</source>
        <translation>%1 暂无数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="323"/>
        <source>last %1 min</source>
        <translation>最近 %1 分钟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="328"/>
        <source>Scenario success rate</source>
        <translation>场景成功率</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="329"/>
        <source>Scenario TPS</source>
        <translation>场景 TPS</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="330"/>
        <source>Scenario requests</source>
        <translation>场景请求量</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="331"/>
        <source>Scenario blocked</source>
        <translation>场景拦截量</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="332"/>
        <source>Service requests</source>
        <translation>服务请求量</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="333"/>
        <source>Service error rate</source>
        <translation>服务错误率</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="334"/>
        <source>Service latency</source>
        <translation>服务延迟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="335"/>
        <source>Service saturation</source>
        <translation>服务饱和度</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="336"/>
        <source>Service blocked</source>
        <translation>服务拦截量</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="337"/>
        <source>Call rate</source>
        <translation>调用量</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="338"/>
        <source>Call error rate</source>
        <translation>调用错误率</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="339"/>
        <source>Call latency</source>
        <translation>调用延迟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="362"/>
        <source>Fault</source>
        <translation>故障注入</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="362"/>
        <source>Fault over</source>
        <translation>故障解除</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="364"/>
        <source>Rollback</source>
        <translation>回滚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="364"/>
        <source>Deploy</source>
        <translation>发布</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="366"/>
        <source>Plan undone</source>
        <translation>预案撤销</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="366"/>
        <source>Plan expired</source>
        <translation>预案到期</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="366"/>
        <source>Plan</source>
        <translation>预案</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="368"/>
        <source>Config</source>
        <translation>配置变更</translation>
    </message>
</context>
<context>
    <name>EventFeedPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="34"/>
        <source>DEPLOY</source>
        <extracomment>Kinds whose routine (info) events are changes to the platform: shown in the accent colour.</extracomment>
        <translation>发布</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="35"/>
        <source>CONFIG</source>
        <translation>配置</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="36"/>
        <source>ALERT</source>
        <translation>告警</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="37"/>
        <source>INCIDENT</source>
        <translation>故障</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="38"/>
        <source>PLAN</source>
        <translation>预案</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="39"/>
        <source>FAULT</source>
        <translation>故障注入</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="40"/>
        <source>FEED</source>
        <translation>数据源</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="41"/>
        <source>NOTE</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="130"/>
        <source>Time (%1)</source>
        <translation>时间 (%1)</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="131"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="131"/>
        <source>Subject</source>
        <translation>对象</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="132"/>
        <source>What happened</source>
        <translation>事件详情</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="195"/>
        <source>Show or hide this kind of event</source>
        <translation>显示或隐藏此类事件</translation>
    </message>
</context>
<context>
    <name>FeedHealthPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="47"/>
        <source>LIVE</source>
        <extracomment>Data older than this turns the frame amber... ...and older than this, red. Connection states that are not (yet) a healthy live stream. The data age keeps counting while nothing arrives (and the view&apos;s version stands still).</extracomment>
        <translation>实时</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="48"/>
        <source>STALE</source>
        <translation>数据停滞</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="49"/>
        <source>CONNECTING</source>
        <translation>连接中</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="50"/>
        <source>DISCONNECTED</source>
        <translation>已断开</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="58"/>
        <source>no data yet</source>
        <translation>尚无数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="61"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="63"/>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="66"/>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="68"/>
        <source>data is %1 old</source>
        <translation>数据延迟 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="75"/>
        <source>no protocol errors</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="115"/>
        <source>Protocol errors</source>
        <translation>协议错误</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="116"/>
        <source>Received</source>
        <translation>已接收</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="117"/>
        <source>Series</source>
        <translation>序列</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="165"/>
        <source>%1 points</source>
        <translation>%1 个数据点</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="166"/>
        <source>%1 series</source>
        <translation>%1 条序列</translation>
    </message>
</context>
<context>
    <name>KpiTileWidget</name>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tile_widget.py" line="73"/>
        <source>OK</source>
        <extracomment>Most points drawn in a sparkline; longer trends are averaged into buckets.</extracomment>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tile_widget.py" line="73"/>
        <source>WARNING</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tile_widget.py" line="73"/>
        <source>CRITICAL</source>
        <translation>严重</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tile_widget.py" line="74"/>
        <source>NO DATA</source>
        <translation>无数据</translation>
    </message>
</context>
<context>
    <name>KpiTilesPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="200"/>
        <source>TPS</source>
        <extracomment>Fewer trend points than this (a minute of data) and the TPS median is not trusted yet.</extracomment>
        <translation>TPS</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="200"/>
        <source>tx/s</source>
        <translation>笔/秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="201"/>
        <source>Success rate</source>
        <translation>成功率</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="202"/>
        <source>P99 latency</source>
        <translation>P99 延迟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="202"/>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="203"/>
        <source>MTTR</source>
        <translation>MTTR</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="203"/>
        <source>min</source>
        <translation>分钟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="204"/>
        <source>Active incidents</source>
        <translation>进行中故障</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="235"/>
        <source>building 15-min baseline</source>
        <translation>正在建立 15 分钟基线</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="239"/>
        <source>%1% vs 15-min median</source>
        <translation>较 15 分钟中位数 %1%</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="245"/>
        <source>goal ≥ %1%</source>
        <translation>目标 ≥ %1%</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="253"/>
        <source>entry services</source>
        <translation>入口服务</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="257"/>
        <source>no incidents yet</source>
        <translation>暂无故障</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="258"/>
        <source>not tracked yet</source>
        <translation>暂未统计</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../warroom/ui/main_window.py" line="52"/>
        <source>Warroom</source>
        <translation>Warroom 作战室</translation>
    </message>
</context>
<context>
    <name>Panel</name>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="13"/>
        <source>North-star KPIs</source>
        <translation>北极星指标</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="14"/>
        <source>Business scenarios</source>
        <translation>业务场景</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="15"/>
        <source>Events</source>
        <translation>事件流</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="16"/>
        <source>Feed health</source>
        <translation>数据源健康</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="17"/>
        <source>Live charts</source>
        <translation>实时曲线</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="18"/>
        <source>Call-chain map</source>
        <translation>调用链拓扑</translation>
    </message>
</context>
<context>
    <name>ScenarioBoardPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/scenarios.py" line="141"/>
        <source>OK</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/scenarios.py" line="142"/>
        <source>WARN</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/scenarios.py" line="143"/>
        <source>CRIT</source>
        <translation>严重</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/scenarios.py" line="145"/>
        <source>NO DATA</source>
        <translation>无数据</translation>
    </message>
</context>
<context>
    <name>ScenarioTableModel</name>
    <message>
        <location filename="../../warroom/ui/panels/scenarios.py" line="74"/>
        <source>Scenario</source>
        <extracomment>Success ratios are ranked in buckets this wide, ties kept in their previous order, so two scenarios a hair apart do not swap places on every frame.</extracomment>
        <translation>场景</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/scenarios.py" line="74"/>
        <source>TPS</source>
        <translation>TPS</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/scenarios.py" line="74"/>
        <source>Success</source>
        <translation>成功率</translation>
    </message>
</context>
<context>
    <name>ServiceDetailView</name>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="121"/>
        <source>Requests/s</source>
        <translation>请求/秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="121"/>
        <source>Error ratio</source>
        <translation>错误率</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="121"/>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="122"/>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="122"/>
        <source>Load</source>
        <translation>负载</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="122"/>
        <source>Health</source>
        <translation>健康状态</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="146"/>
        <source>Error ratio, last 15 min</source>
        <translation>错误率（最近 15 分钟）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="147"/>
        <source>p99 latency, last 15 min</source>
        <translation>p99 延迟（最近 15 分钟）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="168"/>
        <source>%1 (no longer in the topology)</source>
        <translation>%1（已不在拓扑中）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="173"/>
        <source>entry channel</source>
        <translation>入口渠道</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="173"/>
        <source>service</source>
        <translation>服务</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="173"/>
        <source>bank gateway</source>
        <translation>银行网关</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="174"/>
        <source>database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="174"/>
        <source>cache</source>
        <translation>缓存</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="174"/>
        <source>message queue</source>
        <translation>消息队列</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="179"/>
        <source>Upstream callers (%1) — direct in bold</source>
        <translation>上游调用方（%1）— 粗体为直接调用</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="181"/>
        <source>Downstream callees (%1) — direct in bold</source>
        <translation>下游被调方（%1）— 粗体为直接调用</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="214"/>
        <source>OK</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="214"/>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="214"/>
        <source>Critical</source>
        <translation>严重</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="215"/>
        <source>No data</source>
        <translation>无数据</translation>
    </message>
</context>
<context>
    <name>SparklineWidget</name>
    <message>
        <location filename="../../warroom/ui/panels/service_detail.py" line="65"/>
        <source>no data</source>
        <translation>无数据</translation>
    </message>
</context>
<context>
    <name>TopologyMapPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/topology_map.py" line="128"/>
        <source>Fit (F)</source>
        <translation>适应窗口 (F)</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/topology_map.py" line="133"/>
        <source>Highlight:</source>
        <translation>高亮链路：</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/topology_map.py" line="199"/>
        <source>%1 req/s · %2 err</source>
        <translation>%1/秒 · 错误 %2</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/topology_map.py" line="203"/>
        <source>load %1</source>
        <translation>负载 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/topology_map.py" line="204"/>
        <source>%1
requests %2/s
errors %3
p99 %4
load %5</source>
        <translation>%1
请求 %2/秒
错误率 %3
p99 %4
负载 %5</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/topology_map.py" line="212"/>
        <source>%1 → %2
%3 req/s, errors %4</source>
        <translation>%1 → %2
%3 请求/秒，错误率 %4</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/topology_map.py" line="250"/>
        <source>None</source>
        <translation>无</translation>
    </message>
</context>
</TS>
