<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AlertDialogs</name>
    <message>
        <location filename="../../warroom/ui/panels/alerts/dialogs.py" line="80"/>
        <source>Your name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/dialogs.py" line="108"/>
        <source>Acknowledge</source>
        <translation>认领</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/dialogs.py" line="108"/>
        <source>Comment</source>
        <translation>说明</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/dialogs.py" line="113"/>
        <source>Add a note</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/dialogs.py" line="117"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/dialogs.py" line="127"/>
        <source>Silence</source>
        <translation>静默</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/dialogs.py" line="129"/>
        <source>This alert: %1 on %2</source>
        <translation>仅此告警：%2 上的 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/dialogs.py" line="130"/>
        <source>Everything on %1</source>
        <translation>%1 上的全部告警</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/dialogs.py" line="135"/>
        <source>Match</source>
        <translation>匹配范围</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/dialogs.py" line="141"/>
        <source>custom…</source>
        <translation>自定义…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/dialogs.py" line="143"/>
        <source>e.g. 90m, 2h, 1d</source>
        <translation>如 90m、2h、1d</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/dialogs.py" line="146"/>
        <source>For</source>
        <translation>时长</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/dialogs.py" line="150"/>
        <source>Why</source>
        <translation>原因</translation>
    </message>
</context>
<context>
    <name>AlertsPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/alerts/model.py" line="74"/>
        <source>acked by %1</source>
        <translation>%1 已认领</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/model.py" line="76"/>
        <source>pending</source>
        <translation>待定</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/model.py" line="78"/>
        <source>firing</source>
        <translation>告警中</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/model.py" line="92"/>
        <source>after change</source>
        <translation>变更后</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/model.py" line="93"/>
        <source>after change: %1</source>
        <translation>变更后：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/model.py" line="102"/>
        <source>flapping</source>
        <translation>抖动</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/model.py" line="104"/>
        <source>silenced</source>
        <translation>已静默</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/model.py" line="111"/>
        <source>via Alertmanager</source>
        <translation>来自 Alertmanager</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/model.py" line="112"/>
        <source>via %1</source>
        <translation>来自 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/model.py" line="120"/>
        <source>+1 symptom</source>
        <translation>+1 条衍生告警</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/model.py" line="121"/>
        <source>+%1 symptoms</source>
        <translation>+%1 条衍生告警</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/model.py" line="124"/>
        <source>(worst %1)</source>
        <translation>(最高 %1)</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/model.py" line="140"/>
        <source>ROOT CAUSE</source>
        <translation>根因</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/model.py" line="144"/>
        <location filename="../../warroom/ui/panels/alerts/model.py" line="181"/>
        <source>root cause: %1</source>
        <translation>根因：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/model.py" line="177"/>
        <source>since %1</source>
        <translation>始于 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/model.py" line="187"/>
        <source>plans: %1</source>
        <translation>预案：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="76"/>
        <source>Alerting is off</source>
        <extracomment>Log context (protocol 1.5) older than this, in feed time, is not shown on an alert. The longest silence the console makes: every silence ends, and soon.</extracomment>
        <translation>告警未启用</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="86"/>
        <source>Reload rules</source>
        <translation>重新加载规则</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="97"/>
        <source>Acknowledge</source>
        <translation>认领</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="98"/>
        <source>Silence…</source>
        <translation>静默…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="99"/>
        <source>Runbook</source>
        <translation>处置手册</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="100"/>
        <source>Silences</source>
        <translation>静默列表</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="211"/>
        <source>Rule file error: %1</source>
        <translation>规则文件错误：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="215"/>
        <source>Silences (%1)</source>
        <translation>静默列表（%1）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="221"/>
        <source>No active alerts</source>
        <translation>当前无告警</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="225"/>
        <source>%1 firing</source>
        <translation>告警中 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="227"/>
        <source>%1 pending</source>
        <translation>待定 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="229"/>
        <source>%1 acked</source>
        <translation>已认领 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="232"/>
        <source>%1 silenced</source>
        <translation>已静默 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="315"/>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="330"/>
        <source>Select an alert first.</source>
        <translation>请先选择一条告警。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="320"/>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="335"/>
        <source>Say who you are: every action names who took it.</source>
        <translation>请填写姓名：每项操作都会记录操作人。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="322"/>
        <source>An acknowledgement needs a comment: say what you are doing about it.</source>
        <translation>认领需填写说明：请写明正在如何处置。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="324"/>
        <source>Acknowledged: %1</source>
        <translation>已认领：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="337"/>
        <source>A silence needs a reason: say why the alert may stay quiet.</source>
        <translation>静默需填写原因：请说明为何可暂不告警。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="341"/>
        <source>Duration: %1</source>
        <translation>时长：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="343"/>
        <source>A silence lasts more than nothing and at most 7 days.</source>
        <translation>静默时长须大于 0，且不超过 7 天。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="346"/>
        <source>No data yet: nothing to silence.</source>
        <translation>尚无数据：没有可静默的告警。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="355"/>
        <source>Silenced for %1: %2</source>
        <translation>已静默 %1：%2</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="361"/>
        <source>This alert has no runbook.</source>
        <translation>该告警没有处置手册。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="363"/>
        <source>Could not open %1</source>
        <translation>无法打开 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="370"/>
        <source>Select a silence first.</source>
        <translation>请先选择一条静默。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="371"/>
        <source>Silence ended.</source>
        <translation>静默已结束。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="378"/>
        <source>Rules reloaded.</source>
        <translation>规则已重新加载。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="380"/>
        <source>The rule file still has an error; the rules in force stay.</source>
        <translation>规则文件仍有错误，继续沿用当前生效的规则。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="389"/>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="392"/>
        <source>Sent to the feed: %1</source>
        <translation>已发送至数据源：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/panel.py" line="404"/>
        <source>Not done: %1</source>
        <translation>未完成：%1</translation>
    </message>
</context>
<context>
    <name>Catalogue</name>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="29"/>
        <source>Series</source>
        <extracomment>The role a sorting proxy sorts by: numbers as numbers, text as text.</extracomment>
        <translation>序列</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="30"/>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="31"/>
        <source>Description</source>
        <translation>说明</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="32"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="33"/>
        <source>Last point</source>
        <translation>最新数据点</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="34"/>
        <source>Per min</source>
        <translation>每分钟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="35"/>
        <source>Refused</source>
        <translation>拒收</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="36"/>
        <source>Invalid</source>
        <translation>无效</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="37"/>
        <source>Flags</source>
        <translation>标记</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="44"/>
        <source>Declared by the feed or a world/site file, else read from the metric name</source>
        <translation>由数据源或世界/站点文件声明，否则从指标名推断</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="45"/>
        <source>Declared, else the team of the KPI tree or the group that holds its service</source>
        <translation>声明值，否则为 KPI 树中负责其服务的团队或服务所属分组</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="46"/>
        <source>How long before the newest data its last point came</source>
        <translation>其最后一个数据点比最新数据早多久</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="47"/>
        <source>Points per minute, from the median interval between points (the tooltip says how many points in all)</source>
        <translation>每分钟数据点数，按数据点间隔中位数计算（提示中给出总点数）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="48"/>
        <source>Points refused before they were kept: by the console&apos;s decoder (NaN, a bad timestamp, a duplicate) or by the history store</source>
        <translation>保存前被拒收的数据点：由控制台解码器（NaN、错误时间戳、重复点）或历史存储拒收</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="49"/>
        <source>Values its unit cannot take: a ratio above 1, a negative latency</source>
        <translation>其单位不可能出现的值：大于 1 的比例、负的延迟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="50"/>
        <source>Silent: no point for 5 times its own interval</source>
        <translation>静默：超过自身间隔 5 倍的时间没有数据点</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="57"/>
        <source>silent</source>
        <translation>静默</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="58"/>
        <source>invalid</source>
        <translation>无效</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="59"/>
        <source>refused</source>
        <translation>拒收</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="67"/>
        <source>now</source>
        <translation>刚刚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="69"/>
        <source>%1 s ago</source>
        <translation>%1 秒前</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="71"/>
        <source>%1 min ago</source>
        <translation>%1 分钟前</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="72"/>
        <source>%1 h ago</source>
        <translation>%1 小时前</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="174"/>
        <source>, </source>
        <extracomment>The table&apos;s font in bold, for flagged series (the panel sets it).</extracomment>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="194"/>
        <source>Source: %1</source>
        <translation>来源：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="196"/>
        <source>Values %1 … %2, mean %3</source>
        <translation>取值 %1 … %2，均值 %3</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="202"/>
        <source>%1 points</source>
        <translation>共 %1 个数据点</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/model.py" line="205"/>
        <source>One point every %1 s</source>
        <translation>每 %1 秒一个数据点</translation>
    </message>
</context>
<context>
    <name>CataloguePanel</name>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/panel.py" line="94"/>
        <source>Find: series, label, unit, owner, description…</source>
        <extracomment>UI-thread time one refresh may spend copying new points (a big view takes several). Longest wall time between two looks at the view while it changes.</extracomment>
        <translation>查找：序列、标签、单位、负责人、说明…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/panel.py" line="96"/>
        <source>Flagged only</source>
        <translation>仅看有标记的</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/panel.py" line="99"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/panel.py" line="100"/>
        <source>Write the rows shown to a CSV file (the columns of `warroom catalogue --out`)</source>
        <translation>将显示的行写入 CSV 文件（列与 `warroom catalogue --out` 相同）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/panel.py" line="248"/>
        <source>No series yet: the catalogue fills as points arrive</source>
        <translation>尚无序列：数据点到达后目录会逐步填充</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/panel.py" line="252"/>
        <source>%1 series  ·  %2 silent  ·  %3 with invalid values  ·  %4 with refused points</source>
        <translation>%1 个序列  ·  %2 个静默  ·  %3 个有无效值  ·  %4 个有拒收数据点</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/panel.py" line="257"/>
        <source>  ·  %1 refused by the decoder</source>
        <translation>  ·  解码器拒收 %1 个</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/panel.py" line="259"/>
        <source>  ·  %1 shown</source>
        <translation>  ·  显示 %1 个</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/panel.py" line="261"/>
        <source>Refused by the decoder: points the feed sent that the console could not take (the feed health panel says why), counted on their series when the frame named it</source>
        <translation>解码器拒收：数据源发来但控制台无法接收的数据点（原因见数据源健康面板）；帧中注明序列时计入该序列</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/panel.py" line="322"/>
        <source>Export the series catalogue</source>
        <translation>导出序列目录</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/panel.py" line="323"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/panel.py" line="329"/>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/panel.py" line="330"/>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/catalogue/panel.py" line="333"/>
        <source>%1 rows written to %2</source>
        <translation>已将 %1 行写入 %2</translation>
    </message>
</context>
<context>
    <name>ChartPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="277"/>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="486"/>
        <source>crit</source>
        <extracomment>A series that was unhealthy stays emphasised this long after it recovers, so a line hovering at a threshold does not flash between colour and grey every second. With emphasis, the y range spans at least this much of a ratio (5 points) or this share of the largest value: a drop stands out, jitter does not.</extracomment>
        <translation>严重</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="277"/>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="486"/>
        <source>warn</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="478"/>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="506"/>
        <source>%1 healthy</source>
        <translation>%1 个正常</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="483"/>
        <source>%1 no data</source>
        <translation>%1 个无数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="507"/>
        <source>+%1 more</source>
        <translation>另有 %1 个</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="531"/>
        <source>No series selected</source>
        <translation>未选择序列</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="533"/>
        <source>Waiting for data</source>
        <translation>等待数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="535"/>
        <source>No data for %1</source>
        <translation>%1 暂无数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="548"/>
        <source>last %1 min</source>
        <translation>最近 %1 分钟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="553"/>
        <source>Scenario success rate</source>
        <translation>场景成功率</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="554"/>
        <source>Scenario TPS</source>
        <translation>场景 TPS</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="555"/>
        <source>Scenario requests</source>
        <translation>场景请求量</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="556"/>
        <source>Scenario blocked</source>
        <translation>场景拦截量</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="557"/>
        <source>Service requests</source>
        <translation>服务请求量</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="558"/>
        <source>Service error rate</source>
        <translation>服务错误率</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="559"/>
        <source>Service latency</source>
        <translation>服务延迟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="560"/>
        <source>Service saturation</source>
        <translation>服务饱和度</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="561"/>
        <source>Service blocked</source>
        <translation>服务拦截量</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="562"/>
        <source>Call rate</source>
        <translation>调用量</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="563"/>
        <source>Call error rate</source>
        <translation>调用错误率</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="564"/>
        <source>Call latency</source>
        <translation>调用延迟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="588"/>
        <source>Fault</source>
        <translation>故障注入</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="588"/>
        <source>Fault over</source>
        <translation>故障解除</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="590"/>
        <source>Rollback</source>
        <translation>回滚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="590"/>
        <source>Deploy</source>
        <translation>发布</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="592"/>
        <source>Plan undone</source>
        <translation>预案撤销</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="592"/>
        <source>Plan expired</source>
        <translation>预案到期</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="592"/>
        <source>Plan</source>
        <translation>预案</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart/panel.py" line="594"/>
        <source>Config</source>
        <translation>配置变更</translation>
    </message>
</context>
<context>
    <name>Drill</name>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="131"/>
        <location filename="../../warroom/ui/wall/drill_banner.py" line="37"/>
        <source>DRILL</source>
        <translation>演练</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/drill_banner.py" line="54"/>
        <source>since %1</source>
        <translation>开始于 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/drill_banner.py" line="57"/>
        <source>drill over</source>
        <translation>演练已结束</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/drill_banner.py" line="60"/>
        <source>1 drill incident open</source>
        <translation>1 起演练事件未结束</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/drill_banner.py" line="62"/>
        <source>%1 drill incidents open</source>
        <translation>%1 起演练事件未结束</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/drill_banner.py" line="63"/>
        <source>not counted in production MTTR</source>
        <translation>不计入生产 MTTR</translation>
    </message>
</context>
<context>
    <name>EndLabels</name>
    <message>
        <location filename="../../warroom/ui/panels/chart/end_labels.py" line="147"/>
        <source>+%1 more</source>
        <translation>另有 %1 个</translation>
    </message>
</context>
<context>
    <name>EventFeedPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="45"/>
        <source>DEPLOY</source>
        <extracomment>Kinds whose routine (info) events are changes to the platform: shown in the accent colour.</extracomment>
        <translation>发布</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="46"/>
        <source>CONFIG</source>
        <translation>配置</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="47"/>
        <source>ALERT</source>
        <translation>告警</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="48"/>
        <source>INCIDENT</source>
        <translation>故障</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="49"/>
        <source>PLAN</source>
        <translation>预案</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="50"/>
        <source>FAULT</source>
        <translation>故障注入</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="51"/>
        <source>FEED</source>
        <translation>数据源</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="52"/>
        <source>NOTE</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="53"/>
        <source>SILENCE</source>
        <translation>静默</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="54"/>
        <source>ESCALATION</source>
        <translation>升级</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="55"/>
        <source>PATROL</source>
        <translation>巡检</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="56"/>
        <source>LOGS</source>
        <translation>日志</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="57"/>
        <source>DRILL</source>
        <translation>演练</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="161"/>
        <source>Time (%1)</source>
        <extracomment>Kinds a new panel hides: log excerpts come every few seconds per failing service and would push the alerts and plans down; alert cards and incident timelines show them where they explain something. One click shows them here too.</extracomment>
        <translation>时间 (%1)</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="162"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="162"/>
        <source>Subject</source>
        <translation>对象</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="163"/>
        <source>What happened</source>
        <translation>事件详情</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="198"/>
        <source>fired %1 times since %2</source>
        <translation>自 %2 起触发 %1 次</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="245"/>
        <source>Show or hide this kind of event</source>
        <translation>显示或隐藏此类事件</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="252"/>
        <location filename="../../warroom/ui/panels/events/rows.py" line="112"/>
        <source>PENDING</source>
        <extracomment>Transitions of one alert this close together (ms) are one row.</extracomment>
        <translation>待触发</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="256"/>
        <source>Show pending alerts, alerts that cleared before firing and alerts joining an incident</source>
        <translation>显示待触发的告警、触发前已消除的告警以及并入故障的告警</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="319"/>
        <location filename="../../warroom/ui/panels/events/rows.py" line="116"/>
        <location filename="../../warroom/ui/panels/events/rows.py" line="129"/>
        <source>MITIGATED</source>
        <extracomment>Rows of events the panel keeps in view before it gives room to the filter toggles.</extracomment>
        <translation>已缓解</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/panel.py" line="320"/>
        <location filename="../../warroom/ui/panels/events/rows.py" line="117"/>
        <location filename="../../warroom/ui/panels/events/rows.py" line="132"/>
        <source>RESOLVED</source>
        <translation>已恢复</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="113"/>
        <source>CLEARED</source>
        <translation>已消除</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="114"/>
        <source>FIRING</source>
        <translation>告警中</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="115"/>
        <location filename="../../warroom/ui/panels/events/rows.py" line="127"/>
        <source>ACKED</source>
        <translation>已认领</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="123"/>
        <source>OPENED</source>
        <translation>已创建</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="124"/>
        <source>JOINED</source>
        <translation>已并入</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="125"/>
        <source>ROOT CAUSE</source>
        <translation>根因</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="126"/>
        <source>ESCALATED</source>
        <translation>已升级</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="128"/>
        <source>OWNER</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="130"/>
        <source>RECOVERING</source>
        <translation>恢复中</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="131"/>
        <source>REOPENED</source>
        <translation>重新打开</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="133"/>
        <source>MERGED</source>
        <translation>已合并</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="180"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="183"/>
        <source>Root cause now %1 (was %2)</source>
        <translation>根因变为 %1（原为 %2）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="188"/>
        <source>Incident opened: %1</source>
        <translation>故障已创建：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="189"/>
        <source>Incident mitigated (users recovered, root still alerting): %1</source>
        <translation>故障已缓解（用户侧已恢复，根因仍在告警）：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="190"/>
        <source>Incident recovering: %1</source>
        <translation>故障恢复中：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="191"/>
        <source>Incident resolved: %1</source>
        <translation>故障已解决：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="192"/>
        <source>Incident reopened: %1</source>
        <translation>故障重新打开：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="193"/>
        <source>Incident escalated to %2: %1</source>
        <translation>故障升级为 %2：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="194"/>
        <source>Incident acknowledged by %2: %1</source>
        <translation>故障已由 %2 认领：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="195"/>
        <source>Incident owner %2: %1</source>
        <translation>故障负责人 %2：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="196"/>
        <source>Incident merged: %1</source>
        <translation>故障已合并：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="197"/>
        <source>Alert joined the incident: %1</source>
        <translation>告警已并入故障：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="211"/>
        <source>another system</source>
        <translation>其他系统</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="213"/>
        <source>%1 says firing: %2</source>
        <translation>%1 报告告警触发：%2</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events/rows.py" line="214"/>
        <source>%1 says resolved: %2</source>
        <translation>%1 报告告警恢复：%2</translation>
    </message>
</context>
<context>
    <name>FeedHealthPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="74"/>
        <source>LIVE</source>
        <extracomment>Data older than this turns the frame amber... ...and older than this, stale (blue-grey: red is for incidents). Connection states that are not (yet) a healthy live stream. The state of a view a replay fills (``warroom.app.replay``): its own colour, the accent. The data age keeps counting while nothing arrives (and the view&apos;s version stands still).</extracomment>
        <translation>实时</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="75"/>
        <source>STALE</source>
        <translation>数据停滞</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="76"/>
        <source>CONNECTING</source>
        <translation>连接中</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="77"/>
        <source>DISCONNECTED</source>
        <translation>已断开</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="78"/>
        <source>REPLAY</source>
        <translation>回放</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="86"/>
        <source>no data yet</source>
        <translation>尚无数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="89"/>
        <location filename="../../warroom/ui/panels/health/sources.py" line="102"/>
        <source>%1 s</source>
        <extracomment>A source whose last report is older than this (feed time) is shown SILENT — or than three of its own reporting intervals, for a source polled less often than every 20 s. How far back a source&apos;s reports are read (the start of a long failure is its first 0 in it). At most this many sources that are OK get a line each; more are counted on one line. A source&apos;s name takes at most this width (px at 1080p); a longer one is elided.</extracomment>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="91"/>
        <location filename="../../warroom/ui/panels/health/sources.py" line="104"/>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="94"/>
        <location filename="../../warroom/ui/panels/health/sources.py" line="105"/>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="96"/>
        <source>data is %1 old</source>
        <translation>数据延迟 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="103"/>
        <source>no protocol errors</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="156"/>
        <source>Protocol errors</source>
        <translation>协议错误</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="157"/>
        <source>Received</source>
        <translation>已接收</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="158"/>
        <source>Series</source>
        <translation>序列</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="258"/>
        <source>recorded history</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="275"/>
        <source>%1 points</source>
        <translation>%1 个数据点</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="275"/>
        <source>%1 point</source>
        <translation>%1 个数据点</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/panel.py" line="277"/>
        <source>%1 series</source>
        <translation>%1 条序列</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/sources.py" line="121"/>
        <location filename="../../warroom/ui/panels/health/sources.py" line="226"/>
        <source>OK</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/sources.py" line="123"/>
        <source>SILENT</source>
        <translation>无上报</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/sources.py" line="124"/>
        <source>no report for %1</source>
        <translation>%1 未上报</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/sources.py" line="128"/>
        <source>FAILING</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/sources.py" line="148"/>
        <location filename="../../warroom/ui/panels/health/sources.py" line="225"/>
        <source>%1 sources</source>
        <translation>%1 个来源</translation>
    </message>
</context>
<context>
    <name>FeedReason</name>
    <message>
        <location filename="../../warroom/ui/start/feed_reason.py" line="24"/>
        <source>the feed</source>
        <translation>数据源</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/feed_reason.py" line="27"/>
        <source>No feed address given: enter one like ws://HOST:PORT</source>
        <translation>未提供数据源地址：请输入形如 ws://主机:端口 的地址</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/feed_reason.py" line="29"/>
        <source>“%1” is not a feed address: it must start with ws:// or wss:// (did you mean %2?)</source>
        <translation>“%1”不是数据源地址：必须以 ws:// 或 wss:// 开头（是否想输入 %2？）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/feed_reason.py" line="31"/>
        <source>“%1” is not a feed address: it must look like ws://HOST:PORT</source>
        <translation>“%1”不是数据源地址：格式应为 ws://主机:端口</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/feed_reason.py" line="34"/>
        <source>Cannot reach %1: the host name is unknown</source>
        <translation>无法连接 %1：主机名无法解析</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/feed_reason.py" line="35"/>
        <source>Cannot reach %1: connection refused (is the feed running on that port?)</source>
        <translation>无法连接 %1：连接被拒绝（数据源是否在该端口运行？）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/feed_reason.py" line="36"/>
        <source>Cannot reach %1: the network or host is unreachable</source>
        <translation>无法连接 %1：网络或主机不可达</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/feed_reason.py" line="37"/>
        <source>Cannot reach %1: no answer in time</source>
        <translation>无法连接 %1：未在规定时间内响应</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/feed_reason.py" line="38"/>
        <source>Cannot connect securely to %1: the TLS connection failed (certificate or ws:// vs wss://)</source>
        <translation>无法安全连接 %1：TLS 连接失败（证书问题，或 ws:// 与 wss:// 不匹配）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/feed_reason.py" line="39"/>
        <source>Will not send the access token unencrypted to %1: use wss://</source>
        <translation>不会以明文向 %1 发送访问令牌：请使用 wss://</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/feed_reason.py" line="40"/>
        <source>%1 refused access: check the access token</source>
        <translation>%1 拒绝访问：请检查访问令牌</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/feed_reason.py" line="41"/>
        <source>%1 answered, but it is not a Warroom feed</source>
        <translation>%1 有应答，但不是 Warroom 数据源</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/feed_reason.py" line="42"/>
        <source>%1 is a feed this console cannot read (protocol version)</source>
        <translation>%1 的数据本控制台无法读取（协议版本不符）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/feed_reason.py" line="43"/>
        <source>The connection to %1 was closed</source>
        <translation>到 %1 的连接已关闭</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/feed_reason.py" line="44"/>
        <source>Cannot connect to %1</source>
        <translation>无法连接 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/feed_reason.py" line="48"/>
        <source> — retrying</source>
        <translation> — 正在重试</translation>
    </message>
</context>
<context>
    <name>FeedText</name>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="37"/>
        <source>normal closure</source>
        <translation>正常关闭</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="38"/>
        <source>going away</source>
        <translation>对方离开</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="39"/>
        <source>protocol error</source>
        <translation>协议错误</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="40"/>
        <source>unsupported data</source>
        <translation>不支持的数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="41"/>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="84"/>
        <source>connection lost</source>
        <translation>连接中断</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="42"/>
        <source>invalid data</source>
        <translation>无效数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="43"/>
        <source>policy violation</source>
        <translation>违反策略</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="44"/>
        <source>message too big</source>
        <translation>消息过大</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="45"/>
        <source>server error</source>
        <translation>服务器错误</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="46"/>
        <source>service restart</source>
        <translation>服务重启</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="47"/>
        <source>try again later</source>
        <translation>请稍后重试</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="48"/>
        <source>slow consumer</source>
        <translation>消费过慢</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="64"/>
        <source>%1; retrying in %2 s</source>
        <translation>%1；%2 秒后重试</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="67"/>
        <source>last disconnect: %1</source>
        <translation>上次断开：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="70"/>
        <source>not started</source>
        <translation>未启动</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="72"/>
        <source>live from %1</source>
        <translation>实时数据来自 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="74"/>
        <source>connecting to %1</source>
        <translation>正在连接 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="76"/>
        <source>no data or heartbeat for %1 s</source>
        <translation>%1 秒无数据也无心跳</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="78"/>
        <source>no data for %1 s</source>
        <translation>%1 秒无数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="80"/>
        <source>connection lost: no close frame (%1)</source>
        <translation>连接中断：未收到关闭帧（%1）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="82"/>
        <source>closed by the feed</source>
        <translation>由数据源关闭</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="83"/>
        <source>closed by this console</source>
        <translation>由本控制台关闭</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="111"/>
        <source>feed %1: %2</source>
        <translation>数据源%1：%2</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="115"/>
        <source>protocol errors so far: %1</source>
        <translation>迄今协议错误：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="123"/>
        <source>%1 services added</source>
        <translation>新增 %1 个服务</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="124"/>
        <source>%1 services removed</source>
        <translation>移除 %1 个服务</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="125"/>
        <source>%1 services changed</source>
        <translation>%1 个服务有变化</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="126"/>
        <source>%1 calls added</source>
        <translation>新增 %1 条调用</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="127"/>
        <source>%1 calls removed</source>
        <translation>移除 %1 条调用</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="128"/>
        <source>%1 calls changed</source>
        <translation>%1 条调用有变化</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="129"/>
        <source>%1 scenarios added</source>
        <translation>新增 %1 个业务场景</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="130"/>
        <source>%1 scenarios removed</source>
        <translation>移除 %1 个业务场景</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="131"/>
        <source>%1 scenarios changed</source>
        <translation>%1 个业务场景有变化</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="134"/>
        <source>topology changed: %1</source>
        <translation>拓扑变化：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health/feed_text.py" line="135"/>
        <source>, </source>
        <translation>，</translation>
    </message>
</context>
<context>
    <name>Funnel</name>
    <message>
        <location filename="../../warroom/ui/panels/funnel/panel.py" line="129"/>
        <source>+%1 more funnels</source>
        <extracomment>Usual conversions move slowly: computed again once per this much feed time. Below this height (1080p px) a funnel is not drawn; the rest are counted instead.</extracomment>
        <translation>另有 %1 个漏斗</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/funnel/panel.py" line="181"/>
        <source>no data</source>
        <translation>无数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/funnel/panel.py" line="182"/>
        <source>%1/s</source>
        <translation>%1/秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/funnel/panel.py" line="184"/>
        <source>%1 of the first step</source>
        <translation>首步的 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/funnel/panel.py" line="198"/>
        <source>usual %1</source>
        <translation>通常 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/funnel/panel.py" line="201"/>
        <source>cause: %1</source>
        <translation>根因：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/funnel/panel.py" line="249"/>
        <source>No scenario of this feed declares funnel steps (docs/funnels.md).</source>
        <translation>此数据源的业务场景均未声明漏斗步骤（见 docs/funnels.md）。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/funnel/panel.py" line="252"/>
        <source>Waiting for data…</source>
        <translation>等待数据…</translation>
    </message>
</context>
<context>
    <name>IncidentDialogs</name>
    <message>
        <location filename="../../warroom/ui/panels/incidents/dialogs.py" line="27"/>
        <source>Set the owner</source>
        <translation>指定负责人</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/dialogs.py" line="28"/>
        <location filename="../../warroom/ui/panels/incidents/dialogs.py" line="58"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/dialogs.py" line="48"/>
        <source>Add an action item</source>
        <translation>添加改进措施</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/dialogs.py" line="56"/>
        <source>YYYY-MM-DD (optional)</source>
        <translation>YYYY-MM-DD（可选）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/dialogs.py" line="57"/>
        <source>Action</source>
        <translation>措施</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/dialogs.py" line="59"/>
        <source>Due</source>
        <translation>截止日期</translation>
    </message>
</context>
<context>
    <name>IncidentsPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="48"/>
        <source>OPEN</source>
        <extracomment>Resolved incidents listed below the live ones.</extracomment>
        <translation>待处理</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="49"/>
        <source>ACKNOWLEDGED</source>
        <translation>已认领</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="50"/>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="248"/>
        <source>MITIGATED</source>
        <translation>已缓解</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="51"/>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="260"/>
        <source>RECOVERING</source>
        <translation>恢复中</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="52"/>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="224"/>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="265"/>
        <source>RESOLVED</source>
        <translation>已恢复</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="79"/>
        <source>MTTR %1</source>
        <extracomment>States in which users no longer feel the outage: amber (mitigated) or green (recovering), never red.</extracomment>
        <translation>MTTR %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="82"/>
        <source>mitigated in %1</source>
        <translation>%1 内缓解</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="85"/>
        <source>open %1</source>
        <translation>已持续 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="100"/>
        <source>OVERDUE %1</source>
        <translation>超时 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="102"/>
        <source>ACK IN %1</source>
        <translation>%1 内认领</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="108"/>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="122"/>
        <source>%1 target %2</source>
        <translation>%1 响应时限 %2</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="123"/>
        <source>overdue by %1, escalated</source>
        <translation>已超时 %1，已升级通知</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="149"/>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="306"/>
        <source>owner %1</source>
        <translation>负责人 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="150"/>
        <source>no owner</source>
        <translation>未指定负责人</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="152"/>
        <source>1 alert</source>
        <translation>1 条告警</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="153"/>
        <source>%1 alerts</source>
        <translation>%1 条告警</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="175"/>
        <source>started %1</source>
        <translation>开始于 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="176"/>
        <source>detected %1 (MTTD %2)</source>
        <translation>发现于 %1（MTTD %2）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="181"/>
        <source>acked %1 by %2 (MTTA %3)</source>
        <translation>%2 认领于 %1（MTTA %3）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="184"/>
        <source>not acknowledged</source>
        <translation>未认领</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="188"/>
        <source>mitigated %1</source>
        <translation>缓解于 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="190"/>
        <source>restored %1</source>
        <translation>恢复于 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="212"/>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="244"/>
        <source>ROOT CAUSE</source>
        <translation>根因</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="213"/>
        <source>%1: root cause now %2</source>
        <translation>%1：根因变为 %2</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="216"/>
        <source>FIRING</source>
        <translation>告警中</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="219"/>
        <source>ACKED</source>
        <translation>已认领</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="223"/>
        <source>CLEARED</source>
        <translation>已消除</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="225"/>
        <source>PENDING</source>
        <translation>待定</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="237"/>
        <source>OPENED</source>
        <translation>创建</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="237"/>
        <source>Incident opened: %1</source>
        <translation>故障已创建：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="238"/>
        <source>root cause %1</source>
        <translation>根因 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="241"/>
        <source>JOINED</source>
        <translation>并入</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="241"/>
        <source>Alert joined: %1</source>
        <translation>告警并入：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="244"/>
        <source>Root cause now %1 (was %2)</source>
        <translation>根因变为 %1（原为 %2）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="249"/>
        <source>Mitigated: users recovered, the root cause still alerts</source>
        <translation>已缓解：用户侧已恢复，根因仍在告警</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="251"/>
        <source>ESCALATED</source>
        <translation>升级</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="252"/>
        <source>Escalated to %1</source>
        <translation>升级为 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="254"/>
        <source>ACK</source>
        <translation>认领</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="255"/>
        <source>Acknowledged by %1</source>
        <translation>%1 已认领</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="257"/>
        <source>OWNER</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="257"/>
        <source>Owner: %1</source>
        <translation>负责人：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="258"/>
        <source>set by %1</source>
        <translation>由 %1 指定</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="261"/>
        <source>All alerts resolved: verifying the recovery</source>
        <translation>告警已全部恢复：正在验证恢复情况</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="263"/>
        <source>REOPENED</source>
        <translation>重新打开</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="263"/>
        <source>Reopened: an alert fired again</source>
        <translation>重新打开：告警再次触发</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="265"/>
        <source>Resolved: recovery verified</source>
        <translation>已恢复：恢复已验证</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="267"/>
        <source>Merged in %1</source>
        <translation>已将 %1 合并进来</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="268"/>
        <source>Merged into %1</source>
        <translation>已合并至 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="269"/>
        <source>MERGED</source>
        <translation>合并</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="270"/>
        <source>INCIDENT</source>
        <translation>故障</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="285"/>
        <source>OVERDUE</source>
        <translation>超时</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="286"/>
        <source>No acknowledgement in %1: escalated</source>
        <translation>%1 内无人认领：已升级通知</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="288"/>
        <source>%1 response target missed, sent to the second channel</source>
        <translation>%1 响应时限已超，已发往第二通道</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="296"/>
        <source>LOGS</source>
        <translation>日志</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="304"/>
        <source>NOTE</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="309"/>
        <source>due %1</source>
        <translation>截止 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="310"/>
        <source>ACTION</source>
        <translation>措施</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="313"/>
        <source>DEPLOY</source>
        <translation>发布</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="314"/>
        <source>CONFIG</source>
        <translation>配置</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/model.py" line="315"/>
        <source>PLAN</source>
        <translation>预案</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="73"/>
        <source>Alerting is off</source>
        <translation>告警未启用</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="92"/>
        <source>Acknowledge</source>
        <translation>认领</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="93"/>
        <source>Set owner…</source>
        <translation>指定负责人…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="94"/>
        <source>Add note…</source>
        <translation>添加备注…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="95"/>
        <source>Action item…</source>
        <translation>改进措施…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="96"/>
        <source>A follow-up with an owner (and a due date), listed in the report</source>
        <translation>带负责人（及截止日期）的后续改进事项，会列入复盘报告</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="97"/>
        <source>All events</source>
        <translation>全部事件</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="185"/>
        <source>No incidents</source>
        <translation>无故障</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="187"/>
        <source>%1 open  ·  %2 mitigated  ·  %3 resolved</source>
        <translation>%1 个未缓解  ·  %2 个已缓解  ·  %3 个已解决</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="190"/>
        <source>%1 live  ·  %2 resolved</source>
        <translation>进行中 %1  ·  已恢复 %2</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="305"/>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="319"/>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="333"/>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="345"/>
        <source>Select an incident first.</source>
        <translation>请先选择一个故障。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="310"/>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="325"/>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="338"/>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="350"/>
        <source>Say who you are: every action names who took it.</source>
        <translation>请填写姓名：每项操作都会记录操作人。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="312"/>
        <source>An acknowledgement needs a comment: say what you are doing about it.</source>
        <translation>认领需填写说明：请写明正在如何处置。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="313"/>
        <source>Incident acknowledged.</source>
        <translation>故障已认领。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="327"/>
        <source>Owner set: %1</source>
        <translation>已指定负责人：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="339"/>
        <source>Note added.</source>
        <translation>备注已添加。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="352"/>
        <source>An action item needs what to do and who owns it.</source>
        <translation>改进措施需要写明做什么以及负责人。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="354"/>
        <source>Action item added for %1.</source>
        <translation>已为 %1 添加改进措施。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="363"/>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="366"/>
        <source>Sent to the feed: %1</source>
        <translation>已发送至数据源：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents/panel.py" line="378"/>
        <source>Not done: %1</source>
        <translation>未完成：%1</translation>
    </message>
</context>
<context>
    <name>Inspector</name>
    <message>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="49"/>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="61"/>
        <source>Arrived (%1)</source>
        <extracomment>Times are shown in the console&apos;s zone, as the events panel shows them (China time).</extracomment>
        <translation>到达（%1）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="50"/>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="62"/>
        <source>Frame</source>
        <translation>帧</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="51"/>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="52"/>
        <source>Time (%1)</source>
        <translation>时间（%1）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="53"/>
        <source>Series, error or event</source>
        <translation>序列、错误或事件</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="54"/>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="63"/>
        <source>Seq</source>
        <translation>序号</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="64"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="65"/>
        <source>Encoding</source>
        <translation>编码</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="66"/>
        <source>Bytes</source>
        <translation>字节</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="67"/>
        <source>Points</source>
        <translation>数据点</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="68"/>
        <source>Errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="75"/>
        <source>point</source>
        <translation>数据点</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="76"/>
        <source>ERROR</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="77"/>
        <source>event</source>
        <translation>事件</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/model.py" line="83"/>
        <source>(refused)</source>
        <translation>（已拒绝）</translation>
    </message>
</context>
<context>
    <name>InspectorPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="71"/>
        <source>The live inspector watches frames as they arrive from a feed; a replay has none</source>
        <extracomment>Most series offered in the watch list (all services and metric names always are; a feed of 10,000 series is searched by typing, the completer matches anywhere in the text). How often the panel looks for new frames while shown (ms); it redraws only when there are. The record selected in each table (kept across refreshes, which replace the rows).</extracomment>
        <translation>实时检查器查看数据源实时到达的帧；回放中没有帧</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="79"/>
        <source>Watch</source>
        <translation>观察</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="86"/>
        <source>service:NAME, metric:NAME or a series</source>
        <translation>service:名称、metric:名称或一条序列</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="96"/>
        <source>Filter shown rows</source>
        <translation>筛选显示的行</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="99"/>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="397"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="102"/>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="104"/>
        <source>Copy rows</source>
        <translation>复制行</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="105"/>
        <source>Copy the selected rows, or every row shown, as tab-separated text</source>
        <translation>以制表符分隔的文本复制选中的行（未选中时复制显示的所有行）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="122"/>
        <source>Points and errors</source>
        <translation>数据点与错误</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="123"/>
        <source>Frames</source>
        <translation>帧</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="128"/>
        <source>Copy frame</source>
        <translation>复制帧</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="134"/>
        <source>Select a row to see the frame it came in, as it was sent</source>
        <translation>选择一行，查看它所在帧的原始内容</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="266"/>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="301"/>
        <source>Everything</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="293"/>
        <source>Not something to watch: %1</source>
        <translation>无法观察：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="306"/>
        <source>service %1 (its series, its calls and events about it)</source>
        <translation>服务 %1（其序列、调用及相关事件）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="308"/>
        <source>metric %1</source>
        <translation>指标 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="310"/>
        <source>series %1</source>
        <translation>序列 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="311"/>
        <source>every series</source>
        <translation>所有序列</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="361"/>
        <source>Points and errors (%1)</source>
        <translation>数据点与错误（%1）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="362"/>
        <source>Frames (%1)</source>
        <translation>帧（%1）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="387"/>
        <source>Watching %1</source>
        <translation>正在观察%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="388"/>
        <source>%1 frames, %2 bytes, %3 points</source>
        <translation>%1 帧，%2 字节，%3 个数据点</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="391"/>
        <source>%1 points of very large frames counted, not listed</source>
        <translation>超大帧中的 %1 个数据点已计数，未列出</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="394"/>
        <source>PAUSED: %1 frames arrived since</source>
        <translation>已暂停：此后又到达 %1 帧</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="397"/>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="402"/>
        <source>%1 protocol errors since the inspector opened (shown in the rows, in red)</source>
        <translation>检查器打开以来共 %1 个协议错误（以红色显示在行中）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="425"/>
        <source>Frame %1 is no longer kept (only the newest are)</source>
        <translation>帧 %1 已不再保留（只保留最新的帧）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="433"/>
        <source>Frame</source>
        <translation>帧</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="437"/>
        <source>Frame %1 · %2 · %3 · %4 bytes · arrived %5</source>
        <translation>帧 %1 · %2 · %3 · %4 字节 · 到达于 %5</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="441"/>
        <source> · seq %1</source>
        <translation> · 序号 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/inspector/panel.py" line="443"/>
        <source> · shown in part</source>
        <translation> · 仅显示部分</translation>
    </message>
</context>
<context>
    <name>KpiTileWidget</name>
    <message>
        <location filename="../../warroom/ui/panels/kpi/tile.py" line="130"/>
        <source>OK</source>
        <extracomment>Most points drawn in a sparkline; longer trends are averaged into buckets.</extracomment>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/tile.py" line="130"/>
        <source>WARNING</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/tile.py" line="130"/>
        <source>CRITICAL</source>
        <translation>严重</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/tile.py" line="131"/>
        <source>NO DATA</source>
        <translation>无数据</translation>
    </message>
</context>
<context>
    <name>KpiTilesPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="301"/>
        <source>TPS</source>
        <extracomment>Fewer points than this (a minute of data) and the TPS baseline is not trusted yet. The TPS baseline: the median of the last 15 minutes, 30 s behind. Over a day of the simulated platform&apos;s traffic curve the normal ramps then move TPS at most ~9 % from that median (a 30-minute window: 16 %, too close to the warning), so only a real drop warns. What the baseline learns from when it starts (or starts again): the view&apos;s whole hour, so a console opened in the middle of an outage still knows the normal from before it. Incident states in which users no longer feel the outage (``warroom.core.incident``): amber, not red.</extracomment>
        <translation>TPS</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="301"/>
        <source>tx/s</source>
        <translation>笔/秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="302"/>
        <source>Success rate</source>
        <translation>成功率</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="303"/>
        <source>P99 latency</source>
        <translation>P99 延迟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="303"/>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="304"/>
        <source>MTTR</source>
        <translation>MTTR</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="304"/>
        <source>min</source>
        <translation>分钟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="305"/>
        <source>Active incidents</source>
        <translation>进行中故障</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="338"/>
        <source>learning normal TPS</source>
        <translation>正在学习正常 TPS</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="342"/>
        <source>%1% vs normal</source>
        <translation>较正常 %1%</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="348"/>
        <source>goal ≥ %1%</source>
        <translation>目标 ≥ %1%</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="356"/>
        <source>entry services</source>
        <translation>入口服务</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="366"/>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="367"/>
        <source>alerting off</source>
        <translation>告警未启用</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="381"/>
        <source>goal %1 min</source>
        <translation>目标 %1 分钟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="384"/>
        <source>today</source>
        <translation>今日</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="385"/>
        <source>last 7 days</source>
        <translation>近 7 天</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="391"/>
        <source>no resolved incidents</source>
        <translation>无已恢复故障</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="396"/>
        <source>to mitigation · to resolution %1 min · %2</source>
        <translation>缓解用时 · 解决用时 %1 分钟 · %2</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="399"/>
        <source>to mitigation · none resolved yet · %1</source>
        <translation>缓解用时 · 尚无已解决 · %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="412"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="418"/>
        <source>root %1</source>
        <translation>根因 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="422"/>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="425"/>
        <source>%1 mitigated</source>
        <translation>%1 个已缓解</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="424"/>
        <source>%1 open</source>
        <translation>%1 个未缓解</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi/panel.py" line="407"/>
        <source>none open</source>
        <translation>无进行中故障</translation>
    </message>
</context>
<context>
    <name>KpiTreePanel</name>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="104"/>
        <source>success rate %1</source>
        <extracomment>Figures are recomputed at most once per this much feed time while the log is unchanged. Point sizes at 1080p: the goal line, line rows, team rows, service rows, notes. Smallest share of those sizes a crowded panel draws at before it leaves rows out.</extracomment>
        <translation>成功率 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="105"/>
        <source>success rate %1%</source>
        <translation>成功率 %1%</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="108"/>
        <source>goal ≥ %1%</source>
        <translation>目标 ≥ %1%</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="113"/>
        <source>MTTR 7 d %1 · 30 d %2</source>
        <translation>MTTR 7 天 %1 · 30 天 %2</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="115"/>
        <source>goal %1</source>
        <translation>目标 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="125"/>
        <source>No incident minutes today</source>
        <translation>今日无故障分钟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="129"/>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="320"/>
        <source>%1 open</source>
        <translation>%1 个未恢复</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="131"/>
        <source>1 drill not counted</source>
        <translation>1 次演练未计入</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="133"/>
        <source>%1 drills not counted</source>
        <translation>%1 次演练未计入</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="139"/>
        <source>Today: %1 incident minutes in 1 incident</source>
        <translation>今日：1 起故障，共 %1 故障分钟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="140"/>
        <source>Today: %1 incident minutes in %2 incidents</source>
        <translation>今日：%2 起故障，共 %1 故障分钟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="149"/>
        <source>MTTR from the log held here, since %1 UTC (warroom history --teams reads all of it)</source>
        <translation>MTTR 基于此处保存的日志，自 %1 UTC 起（warroom history --teams 读取全部历史）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="223"/>
        <source>No KPI tree</source>
        <extracomment>Rows drawn in the last paint, and how many were left out for want of room.</extracomment>
        <translation>无指标树</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="224"/>
        <source>The feed declares none: kpi_tree in the world or site file (docs/worlds.md)</source>
        <translation>数据源未声明：请在世界文件或站点文件中配置 kpi_tree（docs/worlds.md）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="227"/>
        <source>Waiting for data</source>
        <translation>等待数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="247"/>
        <source>Goal: %1</source>
        <translation>目标：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="278"/>
        <source>Line / team</source>
        <translation>业务线 / 团队</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="279"/>
        <source>Share today</source>
        <translation>今日占比</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="280"/>
        <source>min</source>
        <translation>分钟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="281"/>
        <source>MTTR 7 d</source>
        <translation>MTTR 7 天</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="282"/>
        <source>MTTR 30 d</source>
        <translation>MTTR 30 天</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="355"/>
        <source>+%1 more (enlarge the panel)</source>
        <translation>另有 %1 行（请放大面板）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="392"/>
        <source>MTTR to mitigation: 7 d %1 · 30 d %2 (%3 restored in 30 d)</source>
        <translation>恢复 MTTR：7 天 %1 · 30 天 %2（30 天内恢复 %3 起）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="396"/>
        <source>Services: %1</source>
        <translation>服务：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/panel.py" line="398"/>
        <source>Click to light them on the map</source>
        <translation>点击在拓扑图上高亮这些服务</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/rows.py" line="61"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/rows.py" line="63"/>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/rows.py" line="64"/>
        <source>%1 h</source>
        <translation>%1 小时</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tree/rows.py" line="95"/>
        <source>Unassigned</source>
        <translation>未归属</translation>
    </message>
</context>
<context>
    <name>Layouts</name>
    <message>
        <location filename="../../warroom/ui/layout_names.py" line="14"/>
        <source>Command centre (wall)</source>
        <translation>指挥中心（大屏）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/layout_names.py" line="15"/>
        <source>Incident commander (desk)</source>
        <translation>故障指挥（桌面）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/layout_names.py" line="16"/>
        <source>Engineer (laptop)</source>
        <translation>工程师（笔记本）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/layout_names.py" line="17"/>
        <source>Business view (wall)</source>
        <translation>业务视图（大屏）</translation>
    </message>
</context>
<context>
    <name>LogContext</name>
    <message>
        <location filename="../../warroom/ui/panels/alerts/context_view.py" line="80"/>
        <location filename="../../warroom/ui/panels/alerts/context_view.py" line="94"/>
        <location filename="../../warroom/ui/panels/alerts/context_view.py" line="185"/>
        <source>trace %1</source>
        <extracomment>Lines and trace ids the view shows (the newest): few, big enough to read across the room. A line&apos;s own leading timestamp (ISO 8601 or ``YYYY-MM-DD HH:MM:SS``): the view shows the time once.</extracomment>
        <translation>链路 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/context_view.py" line="82"/>
        <source>log: %1</source>
        <translation>日志：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/context_view.py" line="92"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/context_view.py" line="95"/>
        <source>%1 log lines</source>
        <translation>%1 条日志</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/context_view.py" line="117"/>
        <source>Copy lines</source>
        <translation>复制日志</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/context_view.py" line="139"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/context_view.py" line="140"/>
        <source>Open trace</source>
        <translation>打开链路</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/context_view.py" line="165"/>
        <source>Latest log lines · %1</source>
        <translation>最新日志 · %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/context_view.py" line="188"/>
        <source>Set trace_url in the configuration file to open traces (Jaeger, Tempo).</source>
        <translation>在配置文件中设置 trace_url 即可打开链路（Jaeger、Tempo）。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../warroom/ui/main_window.py" line="135"/>
        <location filename="../../warroom/ui/replay/replay_app.py" line="160"/>
        <source>Warroom</source>
        <extracomment>Starting guesses of a panel&apos;s refresh and paint time, seconds, until it has been measured. Opens the live inspector (``open_panel``), as in a browser&apos;s developer tools. Opens the series catalogue (``open_panel``): every series seen, searchable, flagged ones first. Layouts that are a wall when full screen (wall mode without ``--wall``).</extracomment>
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
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="19"/>
        <source>Alerts</source>
        <translation>告警</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="20"/>
        <source>Incidents</source>
        <translation>故障</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="21"/>
        <source>Contingency plans</source>
        <translation>应急预案</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="22"/>
        <source>Rules review</source>
        <translation>规则复盘</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="23"/>
        <source>Business funnels</source>
        <translation>业务漏斗</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="24"/>
        <source>Live inspector</source>
        <translation>实时检查器</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="25"/>
        <source>North-star KPI tree</source>
        <translation>北极星指标树</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="26"/>
        <source>Series catalogue</source>
        <translation>序列目录</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="31"/>
        <source>North-star KPIs (replay)</source>
        <translation>北极星指标（回放）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="32"/>
        <source>Business scenarios (replay)</source>
        <translation>业务场景（回放）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="33"/>
        <source>Events (replay)</source>
        <translation>事件流（回放）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="34"/>
        <source>Feed health (replay)</source>
        <translation>数据源健康（回放）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="35"/>
        <source>Charts (replay)</source>
        <translation>曲线（回放）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="36"/>
        <source>Call-chain map (replay)</source>
        <translation>调用链拓扑（回放）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="37"/>
        <source>Alerts (replay)</source>
        <translation>告警（回放）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="38"/>
        <source>Incidents (replay)</source>
        <translation>故障（回放）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="39"/>
        <source>Contingency plans (replay)</source>
        <translation>应急预案（回放）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="40"/>
        <source>Business funnels (replay)</source>
        <translation>业务漏斗（回放）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="41"/>
        <source>North-star KPI tree (replay)</source>
        <translation>北极星指标树（回放）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="51"/>
        <source>%1 (replay)</source>
        <translation>%1（回放）</translation>
    </message>
</context>
<context>
    <name>PatrolVerdict</name>
    <message>
        <location filename="../../warroom/ui/wall/patrol_verdict.py" line="24"/>
        <source>PASS</source>
        <translation>通过</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/patrol_verdict.py" line="25"/>
        <source>WARN</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/patrol_verdict.py" line="26"/>
        <source>FAIL</source>
        <translation>不通过</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/patrol_verdict.py" line="28"/>
        <source>UNKNOWN</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/patrol_verdict.py" line="37"/>
        <source>just now</source>
        <translation>刚刚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/patrol_verdict.py" line="39"/>
        <source>%1 min ago</source>
        <translation>%1 分钟前</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/patrol_verdict.py" line="41"/>
        <source>%1 h %2 min ago</source>
        <translation>%1 小时 %2 分钟前</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/patrol_verdict.py" line="49"/>
        <source>%1 fail</source>
        <translation>%1 项不通过</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/patrol_verdict.py" line="50"/>
        <source>%1 warn</source>
        <translation>%1 项警告</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/patrol_verdict.py" line="56"/>
        <source>%1 unknown headroom</source>
        <translation>%1 项余量未知</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/patrol_verdict.py" line="57"/>
        <source>all pass</source>
        <translation>全部通过</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/patrol_verdict.py" line="66"/>
        <source>Patrol</source>
        <translation>巡检</translation>
    </message>
</context>
<context>
    <name>PlansPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="89"/>
        <source>Guard KPI did not recover in time — roll back or escalate</source>
        <extracomment>History a preview rests on, in minutes (``warroom.app.plan_desk.PREVIEW_SPAN_MS``). From this width (px at 1080p) the detail has two columns. A staged shift&apos;s commands (the panel asks why, then calls the desk).</extracomment>
        <translation>守护指标未按时恢复——请回滚或升级</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="91"/>
        <location filename="../../warroom/ui/panels/plans/panel.py" line="125"/>
        <source>Roll back…</source>
        <translation>回滚…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="106"/>
        <source>Pause…</source>
        <extracomment>A guard series&apos; value now (the panel sets it: the detail has no view of its own).</extracomment>
        <translation>暂停…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="107"/>
        <source>Continue…</source>
        <translation>继续…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="109"/>
        <source>Abort…</source>
        <translation>中止…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="153"/>
        <source>Steps</source>
        <translation>步骤</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="154"/>
        <source>Rollback</source>
        <translation>回滚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="155"/>
        <source>Guard</source>
        <translation>守护指标</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="156"/>
        <source>Expiry</source>
        <translation>有效期</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="157"/>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="195"/>
        <location filename="../../warroom/ui/panels/plans/panel.py" line="358"/>
        <source>Select a plan to see what it would do.</source>
        <translation>选择一个预案，查看其执行影响。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="220"/>
        <source>SUGGESTED for the root cause %1</source>
        <translation>推荐用于根因 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="234"/>
        <location filename="../../warroom/ui/panels/plans/list_model.py" line="93"/>
        <source>RISK: HIGH</source>
        <translation>风险：高</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="235"/>
        <location filename="../../warroom/ui/panels/plans/list_model.py" line="94"/>
        <source>RISK: LOW</source>
        <translation>风险：低</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="248"/>
        <source>Impact estimate (the plan is in force)</source>
        <translation>影响评估（预案已生效）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="249"/>
        <source>Impact if executed now</source>
        <translation>立即执行的影响</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="256"/>
        <source>Estimated from the last %1 min of data, up to %2.</source>
        <translation>基于最近 %1 分钟的数据估算，截至 %2。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="259"/>
        <source>The map shows what it touches; the figures need live data.</source>
        <translation>拓扑图标出影响范围；具体数字需要实时数据。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="278"/>
        <source>by %1: “%2”</source>
        <translation>执行人 %1：“%2”</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="283"/>
        <source>rolled back automatically: stage %1 failed</source>
        <translation>已自动回滚：阶段 %1 失败</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="286"/>
        <source>rollback asked by %1: “%2”</source>
        <translation>%1 发起回滚：“%2”</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/actions.py" line="36"/>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="290"/>
        <source>Failed: %1</source>
        <extracomment>Run states a rollback can be asked for in (``PlanBook.request_rollback``).</extracomment>
        <translation>失败：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="303"/>
        <source>Expires in %1 (at %2): the plan then rolls back by itself.</source>
        <translation>%1 后到期（%2）：届时预案将自动回滚。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="319"/>
        <source>before %1</source>
        <translation>执行前 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="321"/>
        <source>after %1</source>
        <translation>执行后 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="323"/>
        <source>now %1</source>
        <translation>当前 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/detail.py" line="325"/>
        <source>needs %1</source>
        <translation>要求 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="83"/>
        <source>Execute plan — step 1 of 2: review</source>
        <translation>执行预案——第 1 步（共 2 步）：复核</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="84"/>
        <source>Next…</source>
        <translation>下一步…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="88"/>
        <source>CRITICAL</source>
        <translation>高危</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="86"/>
        <source>Step 1 of 2: what it would do, and why now</source>
        <translation>第 1 步（共 2 步）：执行影响，以及为何现在执行</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="90"/>
        <source>If executed now:</source>
        <translation>如果立即执行：</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="96"/>
        <source>Guard: %1</source>
        <translation>守护指标：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="100"/>
        <source>why now? it goes into the audit trail</source>
        <translation>为何现在执行？将记入审计日志</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="101"/>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="182"/>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="211"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="112"/>
        <source>Execute plan — step 2 of 2: confirm</source>
        <translation>执行预案——第 2 步（共 2 步）：确认</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="113"/>
        <source>Execute</source>
        <translation>执行</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="116"/>
        <source>Step 2 of 2: confirm</source>
        <translation>第 2 步（共 2 步）：确认</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="117"/>
        <source>Execute %1 on %2 now?</source>
        <translation>立即对 %2 执行 %1？</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="119"/>
        <source>Reason: %1</source>
        <translation>原因：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="126"/>
        <source>This plan is critical. Type its id to confirm: %1</source>
        <translation>这是高危预案。请输入预案 ID 以确认：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="128"/>
        <source>Plan id</source>
        <translation>预案 ID</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="150"/>
        <source>No dry run: the feed has not answered yet.</source>
        <translation>无预演：数据源尚未应答。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="155"/>
        <source>It will send:</source>
        <translation>将发送：</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="172"/>
        <source>Roll back plan</source>
        <translation>回滚预案</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="172"/>
        <source>Roll back</source>
        <translation>回滚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="175"/>
        <source>Roll back %1?</source>
        <translation>回滚 %1？</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="176"/>
        <source>Now: %1</source>
        <translation>当前：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="181"/>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="210"/>
        <source>why? it goes into the audit trail</source>
        <translation>为何回滚？将记入审计日志</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="193"/>
        <source>Pause the staged shift</source>
        <translation>暂停分级切流</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="193"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="194"/>
        <source>Continue the staged shift</source>
        <translation>继续分级切流</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="194"/>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="195"/>
        <source>Abort the staged shift</source>
        <translation>中止分级切流</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="196"/>
        <source>Abort and roll back</source>
        <translation>中止并回滚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="200"/>
        <source>Hold %1 at stage %2? The hold stops; the guard KPIs are still watched and a breach still rolls it back.</source>
        <translation>将 %1 停在阶段 %2？观察计时暂停；守护指标仍在监视，一旦越界仍会回滚。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="202"/>
        <source>Continue %1 from stage %2? Its hold runs on from where it stopped.</source>
        <translation>从阶段 %2 继续 %1？观察计时从暂停处接着计算。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="203"/>
        <source>Abort %1 at stage %2? Everything it moved goes back.</source>
        <translation>在阶段 %2 中止 %1？已切走的流量全部切回。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="230"/>
        <source>Who is acting?</source>
        <translation>操作人是谁？</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="230"/>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="231"/>
        <source>Plan steps go into the audit trail with your name.</source>
        <translation>预案的每步操作都会连同您的姓名记入审计日志。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/dialogs.py" line="234"/>
        <source>Your name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/list_model.py" line="109"/>
        <source>SUGGESTED for %1</source>
        <translation>推荐用于 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/list_model.py" line="82"/>
        <location filename="../../warroom/ui/panels/plans/list_model.py" line="112"/>
        <source>by %1 at %2</source>
        <translation>%1 于 %2</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="66"/>
        <source>Confirmed</source>
        <extracomment>Step status -&gt; the mark after its word.</extracomment>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="68"/>
        <source>Sending…</source>
        <translation>发送中…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="70"/>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="72"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="74"/>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="78"/>
        <source>In force</source>
        <translation>已生效</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="76"/>
        <source>Executing…</source>
        <translation>执行中…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="86"/>
        <source>All stages passed</source>
        <translation>全部阶段通过</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="88"/>
        <source>Stage %1/%2 failed</source>
        <translation>阶段 %1/%2 失败</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="91"/>
        <source>Aborted at stage %1/%2</source>
        <translation>已在阶段 %1/%2 中止</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="94"/>
        <source>Stage %1/%2…</source>
        <translation>阶段 %1/%2…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="97"/>
        <source>Stages</source>
        <translation>分级</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="99"/>
        <source>Effective</source>
        <translation>已见效</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="101"/>
        <location filename="../../warroom/ui/panels/plans/text.py" line="127"/>
        <source>NOT EFFECTIVE</source>
        <translation>未见效</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="103"/>
        <source>No guard</source>
        <translation>无守护指标</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="106"/>
        <source>Verifying…</source>
        <translation>验证中…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="107"/>
        <source>by %1</source>
        <translation>%1 前</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="109"/>
        <source>Effective?</source>
        <translation>是否见效</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="112"/>
        <source>Expired, rolled back</source>
        <translation>已到期并回滚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="115"/>
        <source>Rolling back</source>
        <translation>回滚中</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/progress.py" line="118"/>
        <source>Rolled back</source>
        <translation>已回滚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="101"/>
        <source>FAILOVER</source>
        <extracomment>The feed&apos;s clock shown as in the event list (the platform runs on UTC+8).</extracomment>
        <translation>容灾切换</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="101"/>
        <source>RATE LIMIT</source>
        <translation>限流</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="102"/>
        <source>DEGRADE</source>
        <translation>降级</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="102"/>
        <source>ROLLBACK</source>
        <translation>回滚发布</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="103"/>
        <source>SHIFT</source>
        <translation>切流</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="123"/>
        <location filename="../../warroom/ui/panels/plans/text.py" line="124"/>
        <source>EXECUTING</source>
        <translation>执行中</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="125"/>
        <source>IN FORCE</source>
        <translation>已生效</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="126"/>
        <source>EFFECTIVE</source>
        <translation>已见效</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="128"/>
        <source>ROLLING BACK</source>
        <translation>回滚中</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="129"/>
        <source>FAILED</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="130"/>
        <source>rolled back</source>
        <translation>已回滚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="131"/>
        <source>expired</source>
        <translation>已到期</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="154"/>
        <source>success</source>
        <translation>成功率</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="155"/>
        <source>error rate</source>
        <translation>错误率</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="156"/>
        <location filename="../../warroom/ui/panels/plans/text.py" line="157"/>
        <source>requests</source>
        <translation>请求量</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="158"/>
        <source>saturation</source>
        <translation>饱和度</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="172"/>
        <source>%1 %2 within %3</source>
        <translation>%3 内 %1 %2</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="183"/>
        <source>no guard KPI: check by hand that it worked</source>
        <translation>无守护指标：请人工确认是否见效</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="199"/>
        <source>none: stays in force until rolled back</source>
        <translation>无：持续生效，直至回滚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="200"/>
        <source>rolls back by itself %1 after execution (warning %2 before)</source>
        <translation>执行 %1 后自动回滚（提前 %2 预警）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="221"/>
        <source>Unknown target %1: the feed&apos;s topology does not have it, so there is nothing to preview.</source>
        <translation>未知目标 %1：数据源的拓扑中没有它，无法预览。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="224"/>
        <source>no recent data</source>
        <translation>近期无数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="225"/>
        <source>No estimate: %1.</source>
        <translation>无法估算：%1。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="236"/>
        <source>Moves up to %1 req/s from %2 to %3, stage by stage.</source>
        <translation>分阶段把最多 %1 次/秒的请求从 %2 切到 %3。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="238"/>
        <source>Share of %1&apos;s capacity in use at each stage: %2.</source>
        <translation>各阶段 %1 的容量使用率：%2。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="242"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="243"/>
        <source>Switches %1 to its standby%2: %3 req/s of load, %4 of capacity.</source>
        <translation>将 %1 切换到备用%2：负载 %3 请求/秒，占容量 %4。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="247"/>
        <source>Scenarios touched: %1.</source>
        <translation>涉及场景：%1。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="255"/>
        <source>Would reject %1 req/s now (%2 of %3 offered), up to %4 at the peak.</source>
        <translation>当前将拦截 %1 请求/秒（占流入 %3 请求/秒的 %2），峰值时最多 %4 请求/秒。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="258"/>
        <source>Would reject nothing on average now (%1 req/s offered), up to %2 req/s at the peak.</source>
        <translation>当前平均不拦截（流入 %1 请求/秒），峰值时最多拦截 %2 请求/秒。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="262"/>
        <source>Would reject nothing now: %1 req/s offered (peak %2) is under the limit.</source>
        <translation>当前不会拦截：流入 %1 请求/秒（峰值 %2），低于限流阈值。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="265"/>
        <source>Admits at most %1 req/s (Sentinel FlowRule count).</source>
        <translation>最多放行 %1 请求/秒（Sentinel FlowRule count）。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="268"/>
        <source>Scenarios losing traffic: %1.</source>
        <translation>流量受损的场景：%1。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="276"/>
        <source>Redeploys the previous version of %1.</source>
        <translation>重新部署 %1 的上一版本。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="278"/>
        <source>Redeploys the previous version of %1: %2 req/s of load, %3 errors now.</source>
        <translation>重新部署 %1 的上一版本：负载 %2 请求/秒，当前错误率 %3。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="288"/>
        <source>Stops the calls from %1 to %2; removes %3 req/s.</source>
        <translation>停止 %1 对 %2 的调用；减少 %3 请求/秒。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="290"/>
        <source>Stops the calls from %1 to %2.</source>
        <translation>停止 %1 对 %2 的调用。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="292"/>
        <source>Switches off %1; removes %2 req/s.</source>
        <translation>关闭 %1，减少 %2 请求/秒负载。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="294"/>
        <source>Switches off %1.</source>
        <translation>关闭 %1。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="297"/>
        <source>Its callers (%1) go on without it.</source>
        <translation>其调用方（%1）将绕过它继续运行。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="306"/>
        <source>Moves %1 req/s from %2 to %3.</source>
        <translation>将 %1 请求/秒从 %2 切至 %3。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="309"/>
        <source>%1 at %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="311"/>
        <source>After the move: %1 of capacity.</source>
        <translation>切换后容量占用：%1。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="342"/>
        <source>Asking the feed…</source>
        <extracomment>Longest before/after value shown (characters of compact JSON); the rest is &quot;…&quot;.</extracomment>
        <translation>正在询问数据源…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="344"/>
        <source>This feed does not preview changes</source>
        <translation>此数据源不支持变更预演</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="346"/>
        <source>The feed refused the dry run: %1</source>
        <translation>数据源拒绝了预演：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="348"/>
        <source>The dry run failed: %1</source>
        <translation>预演失败：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="350"/>
        <source>No answer from the feed: %1</source>
        <translation>数据源无应答：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="385"/>
        <source>Before: %1</source>
        <translation>变更前：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/text.py" line="387"/>
        <source>After: %1</source>
        <translation>变更后：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/panel.py" line="108"/>
        <source>Plans unavailable</source>
        <extracomment>Narrower than this (px at 1080p), or taller than wide, the detail goes under the list. The list&apos;s share of the width when it sits beside the detail.</extracomment>
        <translation>预案不可用</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/panel.py" line="109"/>
        <source>This console has no plan desk: it is not connected to a feed.</source>
        <translation>本控制台无预案执行台：未连接数据源。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/panel.py" line="124"/>
        <source>Execute…</source>
        <translation>执行…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/list_model.py" line="74"/>
        <source>SUGGESTED</source>
        <extracomment>The widest kind chip, so that every title starts at the same place.</extracomment>
        <translation>建议</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/list_model.py" line="100"/>
        <source>High risk: to execute, type the plan&apos;s id to confirm</source>
        <translation>高风险：执行时须输入预案 ID 确认</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/list_model.py" line="101"/>
        <source>Low risk: confirm twice to execute</source>
        <translation>低风险：两次确认后执行</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/list_model.py" line="121"/>
        <source>The feed offers no plans</source>
        <translation>数据源未提供预案</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/list_model.py" line="124"/>
        <source>%1 plans</source>
        <translation>%1 个预案</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/list_model.py" line="126"/>
        <source>%1 in force</source>
        <translation>%1 个已生效</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/list_model.py" line="128"/>
        <source>%1 NOT EFFECTIVE</source>
        <translation>%1 个未见效</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/list_model.py" line="131"/>
        <source>%1 suggested</source>
        <translation>%1 个推荐</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/actions.py" line="47"/>
        <source>your role may view plans but not execute them</source>
        <translation>您的角色可查看预案，但无权执行</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/panel.py" line="323"/>
        <source>Review the impact, then confirm twice</source>
        <translation>复核影响后，需两次确认</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/panel.py" line="324"/>
        <source>Undo the selected plan&apos;s run</source>
        <translation>撤销所选预案的执行</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/panel.py" line="325"/>
        <source>Undo the plan</source>
        <translation>撤销该预案</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/panel.py" line="407"/>
        <source>No preview for %1: %2</source>
        <translation>%1 无法预估影响：%2</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/actions.py" line="58"/>
        <source>Select a plan first.</source>
        <translation>请先选择一个预案。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/actions.py" line="40"/>
        <source>Cancelled: nothing was sent.</source>
        <translation>已取消：未发送任何指令。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/actions.py" line="46"/>
        <source>replay: plans are shown as they were, not run</source>
        <translation>回放：预案按当时情况展示，不可执行</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/actions.py" line="81"/>
        <source>Sending %1…</source>
        <translation>正在发送 %1…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/actions.py" line="89"/>
        <source>Nothing to roll back: the selected plan is not in force.</source>
        <translation>无需回滚：所选预案未生效。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/actions.py" line="98"/>
        <source>Rolling back %1…</source>
        <translation>正在回滚 %1…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/actions.py" line="117"/>
        <source>Nothing to do: the selected plan is not a staged shift under way.</source>
        <translation>无可操作：所选预案不是进行中的分级切流。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/actions.py" line="127"/>
        <source>Aborting %1…</source>
        <translation>正在中止 %1…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/actions.py" line="137"/>
        <source>Paused: %1</source>
        <translation>已暂停：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/actions.py" line="138"/>
        <source>Continued: %1</source>
        <translation>已继续：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/actions.py" line="150"/>
        <source>Aborted, rollback sent: %1</source>
        <translation>已中止，回滚已下发：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/actions.py" line="177"/>
        <source>Sent: %1</source>
        <translation>已发送：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/actions.py" line="188"/>
        <source>Rollback sent: %1</source>
        <translation>回滚指令已发送：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/change.py" line="99"/>
        <source>Change it would send</source>
        <extracomment>Monospace families for requests (CJK-capable fallback: a URL may hold Chinese). Requests listed at most; the rest are counted (&quot;… and 3 more&quot;).</extracomment>
        <translation>将要发送的变更</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/change.py" line="131"/>
        <source>(no summary)</source>
        <translation>（无摘要）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/change.py" line="139"/>
        <source>… and %1 more</source>
        <translation>…另有 %1 条</translation>
    </message>
</context>
<context>
    <name>ReplayBar</name>
    <message>
        <location filename="../../warroom/ui/replay/replay_app.py" line="142"/>
        <source>Checking the bundle</source>
        <translation>正在校验事件包</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_app.py" line="161"/>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="392"/>
        <source>REPLAY</source>
        <translation>回放</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_app.py" line="166"/>
        <source>Replay</source>
        <translation>回放</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="133"/>
        <source>%1 opened</source>
        <extracomment>Ruler steps (ms) and the minor ticks between their labels: round numbers on a clock. Which markers get a label first when labels would overlap (lower first): an incident&apos;s turning points, then what the plans did, deploys, the incident&apos;s other steps, alerts, notes.</extracomment>
        <translation>%1 故障开始</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="134"/>
        <source>Mitigated</source>
        <translation>已缓解</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="135"/>
        <source>Recovering</source>
        <translation>恢复中</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="136"/>
        <source>Resolved</source>
        <translation>已解决</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="137"/>
        <source>Reopened</source>
        <translation>重新打开</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="138"/>
        <source>Acknowledged</source>
        <translation>已认领</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="139"/>
        <source>Escalated to %1</source>
        <translation>升级为 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="140"/>
        <source>Merged</source>
        <translation>已合并</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="141"/>
        <source>%1 overdue</source>
        <translation>%1 超时</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="144"/>
        <source>Plan confirmed</source>
        <translation>预案已确认</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="145"/>
        <source>Plan in force</source>
        <translation>预案生效中</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="146"/>
        <source>Plan sent</source>
        <translation>预案已下发</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="147"/>
        <source>Plan effective</source>
        <translation>预案有效</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="148"/>
        <source>Plan NOT effective</source>
        <translation>预案无效</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="149"/>
        <source>Plan failed</source>
        <translation>预案失败</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="150"/>
        <source>Plan rolled back</source>
        <translation>预案已回滚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="151"/>
        <source>Rollback sent</source>
        <translation>回滚已下发</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="152"/>
        <source>Plan expired</source>
        <translation>预案已到期</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="153"/>
        <source>Shift stage failed</source>
        <translation>切流阶段失败</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="154"/>
        <source>Staged shift complete</source>
        <translation>分级切流完成</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="155"/>
        <source>Staged shift aborted</source>
        <translation>分级切流已中止</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="157"/>
        <source>Incident</source>
        <translation>故障</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="157"/>
        <source>Plan</source>
        <translation>预案</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="158"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="398"/>
        <source>Previous marker (Page Up)</source>
        <translation>上一个标记（Page Up）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="399"/>
        <source>−10 s</source>
        <translation>−10 秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="399"/>
        <source>Back 10 s (Left; Shift: 1 min)</source>
        <translation>后退 10 秒（←；Shift：1 分钟）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="401"/>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="403"/>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="638"/>
        <source>▶ Play</source>
        <translation>▶ 播放</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="401"/>
        <source>Play / pause (Space)</source>
        <translation>播放 / 暂停（空格）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="404"/>
        <source>+10 s</source>
        <translation>+10 秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="404"/>
        <source>Forward 10 s (Right; Shift: 1 min)</source>
        <translation>前进 10 秒（→；Shift：1 分钟）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="406"/>
        <source>Next marker (Page Down)</source>
        <translation>下一个标记（Page Down）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="413"/>
        <source>Playback speed (feed time per wall time)</source>
        <translation>回放速度（数据时间 / 实际时间）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="420"/>
        <source>Markers</source>
        <translation>标记</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="420"/>
        <source>Jump to an alert, incident, plan, deploy or note</source>
        <translation>跳转到告警、事件、预案、发布或备注</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="422"/>
        <source>Note…</source>
        <translation>备注…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="422"/>
        <source>Add a review note to the incident at the cursor</source>
        <translation>为当前时刻的事件添加复盘备注</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="424"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="424"/>
        <source>Write the report or the bundle of the incident at the cursor</source>
        <translation>导出当前时刻事件的报告或事件包</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="431"/>
        <source>This file is open read-only: notes cannot be stored</source>
        <translation>文件以只读方式打开：无法保存备注</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="504"/>
        <source>Cannot read this part of the history: %1</source>
        <translation>无法读取这段历史记录：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="540"/>
        <source>Alerts</source>
        <translation>告警</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="540"/>
        <source>Incidents</source>
        <translation>事件</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="540"/>
        <source>Plans</source>
        <translation>预案</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="541"/>
        <source>Deploys and changes</source>
        <translation>发布与变更</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="541"/>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="551"/>
        <source>No markers in this history</source>
        <translation>此历史记录中没有标记</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="562"/>
        <source>Report (HTML)…</source>
        <translation>报告（HTML）…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="562"/>
        <source>Report (PDF)…</source>
        <translation>报告（PDF）…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="563"/>
        <source>Incident bundle…</source>
        <translation>事件包…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="569"/>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="584"/>
        <source>No incident at the cursor</source>
        <translation>当前时刻没有事件</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="596"/>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="615"/>
        <source>No incident at the cursor to note</source>
        <translation>当前时刻没有可备注的事件</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="618"/>
        <source>Review note</source>
        <translation>复盘备注</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="619"/>
        <source>Note on %1 at %2, as %3:</source>
        <translation>%2 对 %1 的备注（%3）：</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_bar.py" line="638"/>
        <source>❚❚ Pause</source>
        <translation>❚❚ 暂停</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_export.py" line="32"/>
        <source>Report written: %1</source>
        <translation>报告已写入：%1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/replay/replay_export.py" line="44"/>
        <source>Bundle written: %1 (%2 MB)</source>
        <translation>事件包已写入：%1（%2 MB）</translation>
    </message>
</context>
<context>
    <name>RulesReview</name>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="22"/>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="23"/>
        <source>Sev.</source>
        <translation>级别</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="24"/>
        <source>Fired</source>
        <translation>触发</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="25"/>
        <source>Acked</source>
        <translation>认领</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="26"/>
        <source>Plan</source>
        <translation>预案</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="27"/>
        <source>Flapped</source>
        <translation>抖动</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="28"/>
        <source>Silenced</source>
        <translation>静默</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="29"/>
        <source>Median ack</source>
        <translation>认领中位时长</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="30"/>
        <source>Only noise</source>
        <translation>只是噪音</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="37"/>
        <source>Alerts of this rule that fired (pending ones that faded are not counted)</source>
        <translation>该规则已触发的告警（待定后自行消失的不计）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="38"/>
        <source>Fired alerts someone acknowledged, the alert itself or its incident</source>
        <translation>有人认领的已触发告警（认领告警本身或其故障）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="39"/>
        <source>Fired alerts during which a plan was executed on their subject or their incident</source>
        <translation>告警期间对其对象或其故障执行过预案的已触发告警</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="40"/>
        <source>Fired alerts the engine marked as flapping</source>
        <translation>被告警引擎标记为抖动的已触发告警</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="41"/>
        <source>Fired alerts a silence muted</source>
        <translation>被静默屏蔽的已触发告警</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="42"/>
        <source>Median time from firing to the first acknowledgement</source>
        <translation>从触发到首次认领的中位时长</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="43"/>
        <source>Why the rule only makes noise (judged once its alerts fired and resolved often enough)</source>
        <translation>该规则为何只是噪音（其告警触发并恢复足够多次后才评判）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="49"/>
        <source>nobody acted on it</source>
        <translation>无人处理</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="50"/>
        <source>mostly flapping</source>
        <translation>多为抖动</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="51"/>
        <source>mostly silenced</source>
        <translation>多被静默</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="52"/>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="58"/>
        <source>fired %1 times, nobody acknowledged it or ran a plan</source>
        <translation>触发 %1 次，无人认领也未执行预案</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="59"/>
        <source>flapped in %1 of %2 firings</source>
        <translation>%2 次触发中 %1 次抖动</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="61"/>
        <source>silenced in %1 of %2 firings</source>
        <translation>%2 次触发中 %1 次被静默</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="72"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="74"/>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/model.py" line="75"/>
        <source>%1 h</source>
        <translation>%1 小时</translation>
    </message>
</context>
<context>
    <name>RulesReviewPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/panel.py" line="150"/>
        <source>No alerts yet: nothing to review</source>
        <extracomment>Longest wall time between two reviews of a changing log.</extracomment>
        <translation>尚无告警：无可复盘</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/panel.py" line="155"/>
        <source>%1 rules  ·  %2 firings  ·  %3 only make noise</source>
        <translation>%1 条规则  ·  触发 %2 次  ·  %3 条只是噪音</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/panel.py" line="156"/>
        <source>%1 rules  ·  %2 firings  ·  none only makes noise</source>
        <translation>%1 条规则  ·  触发 %2 次  ·  没有只制造噪音的规则</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/rules_review/panel.py" line="159"/>
        <source>Judged once a rule&apos;s alerts fired and resolved %1 times, over the events the console holds</source>
        <translation>规则的告警触发并恢复 %1 次后才评判，基于控制台持有的事件</translation>
    </message>
</context>
<context>
    <name>ScenarioBoardPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/scenarios/panel.py" line="187"/>
        <source>OK</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/scenarios/panel.py" line="188"/>
        <source>WARN</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/scenarios/panel.py" line="189"/>
        <source>CRIT</source>
        <translation>严重</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/scenarios/panel.py" line="191"/>
        <source>NO DATA</source>
        <translation>无数据</translation>
    </message>
</context>
<context>
    <name>ScenarioTableModel</name>
    <message>
        <location filename="../../warroom/ui/panels/scenarios/panel.py" line="96"/>
        <source>Scenario</source>
        <extracomment>Success ratios are ranked in buckets this wide, ties kept in their previous order, so two scenarios a hair apart do not swap places on every frame. The error-budget burn shown in each row&apos;s tooltip is over this window.</extracomment>
        <translation>场景</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/scenarios/panel.py" line="96"/>
        <source>TPS</source>
        <translation>TPS</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/scenarios/panel.py" line="96"/>
        <source>Success</source>
        <translation>成功率</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/scenarios/panel.py" line="175"/>
        <source>error budget burn (last hour): %1×</source>
        <extracomment>``scenario id -&gt; burn rate or None`` for the tooltip; the panel sets it. While the data is stale, its age (&quot;42 s old&quot;): every row is dimmed and the title column&apos;s header says how old the numbers are. Empty while live.</extracomment>
        <translation>错误预算消耗速率（近 1 小时）：%1×</translation>
    </message>
</context>
<context>
    <name>ServiceDetailView</name>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="121"/>
        <source>Requests/s</source>
        <translation>请求/秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="121"/>
        <source>Error ratio</source>
        <translation>错误率</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="121"/>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="122"/>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="122"/>
        <source>Load</source>
        <translation>负载</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="122"/>
        <source>Health</source>
        <translation>健康状态</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="146"/>
        <source>Error ratio, last 15 min</source>
        <translation>错误率（最近 15 分钟）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="147"/>
        <source>p99 latency, last 15 min</source>
        <translation>p99 延迟（最近 15 分钟）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="156"/>
        <source>Inspect its live points and frames</source>
        <translation>检查其实时数据点和帧</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="187"/>
        <source>%1 (no longer in the topology)</source>
        <translation>%1（已不在拓扑中）</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="192"/>
        <source>entry channel</source>
        <translation>入口渠道</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="192"/>
        <source>service</source>
        <translation>服务</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="192"/>
        <source>bank gateway</source>
        <translation>银行网关</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="193"/>
        <source>database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="193"/>
        <source>cache</source>
        <translation>缓存</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="193"/>
        <source>message queue</source>
        <translation>消息队列</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="198"/>
        <source>Upstream callers (%1) — direct in bold</source>
        <translation>上游调用方（%1）— 粗体为直接调用</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="200"/>
        <source>Downstream callees (%1) — direct in bold</source>
        <translation>下游被调方（%1）— 粗体为直接调用</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="233"/>
        <source>OK</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="233"/>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="233"/>
        <source>Critical</source>
        <translation>严重</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="234"/>
        <source>No data</source>
        <translation>无数据</translation>
    </message>
</context>
<context>
    <name>SilenceListWidget</name>
    <message>
        <location filename="../../warroom/ui/panels/alerts/silences.py" line="31"/>
        <source>starts in %1</source>
        <translation>%1 后开始</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/silences.py" line="32"/>
        <source>ends in %1</source>
        <translation>%1 后结束</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/silences.py" line="46"/>
        <source>End silence</source>
        <translation>结束静默</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/silences.py" line="58"/>
        <source>Matches</source>
        <translation>匹配</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/silences.py" line="58"/>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/silences.py" line="58"/>
        <source>By / why</source>
        <translation>创建人 / 原因</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts/silences.py" line="79"/>
        <source>Silences (%1)</source>
        <translation>静默列表（%1）</translation>
    </message>
</context>
<context>
    <name>SparklineWidget</name>
    <message>
        <location filename="../../warroom/ui/panels/map/service_detail.py" line="65"/>
        <source>no data</source>
        <translation>无数据</translation>
    </message>
</context>
<context>
    <name>StageLadder</name>
    <message>
        <location filename="../../warroom/ui/panels/plans/stage_ladder.py" line="51"/>
        <source>passed</source>
        <translation>通过</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/stage_ladder.py" line="55"/>
        <source>aborted</source>
        <translation>已中止</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/stage_ladder.py" line="55"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/stage_ladder.py" line="62"/>
        <source>paused %1</source>
        <translation>已暂停 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/stage_ladder.py" line="66"/>
        <source>verifying</source>
        <translation>验证中</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/stage_ladder.py" line="68"/>
        <source>applying</source>
        <translation>下发中</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/stage_ladder.py" line="80"/>
        <source>All %1 stages passed: the shift is complete</source>
        <translation>全部 %1 个阶段通过：切流完成</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/stage_ladder.py" line="82"/>
        <source>Aborted at %1: rolling back</source>
        <translation>已在 %1 中止：正在回滚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/stage_ladder.py" line="83"/>
        <source>Stage %1 failed: rolling back</source>
        <translation>阶段 %1 失败：正在回滚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/stage_ladder.py" line="86"/>
        <source>Aborted at %1 and rolled back</source>
        <translation>已在 %1 中止并回滚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/stage_ladder.py" line="87"/>
        <source>Stage %1 failed: the shift was rolled back</source>
        <translation>阶段 %1 失败：切流已回滚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/stage_ladder.py" line="90"/>
        <source>PAUSED at stage %1/%2 · %3: the hold is stopped, the guards are still watched</source>
        <translation>已暂停于阶段 %1/%2 · %3：观察计时已停，守护指标仍在监视</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/stage_ladder.py" line="95"/>
        <source>Stage %1/%2 · %3: holding, %4 left</source>
        <translation>阶段 %1/%2 · %3：观察中，剩余 %4</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/stage_ladder.py" line="99"/>
        <source>Stage %1/%2 · %3: verifying the guards</source>
        <translation>阶段 %1/%2 · %3：正在验证守护指标</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans/stage_ladder.py" line="101"/>
        <source>Stage %1/%2 · %3: applying</source>
        <translation>阶段 %1/%2 · %3：下发中</translation>
    </message>
</context>
<context>
    <name>Stale</name>
    <message>
        <location filename="../../warroom/ui/wall/stale_banner.py" line="59"/>
        <source>%1 s old</source>
        <extracomment>The wall&apos;s times are the platform&apos;s (see the events panel): China time by default. The client appends its retry countdown to a disconnect&apos;s reason; on a banner read from five metres a number that changes every second is noise, so it is left out.</extracomment>
        <translation>%1 秒前</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/stale_banner.py" line="61"/>
        <source>%1 min old</source>
        <translation>%1 分钟前</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/stale_banner.py" line="62"/>
        <source>%1 h old</source>
        <translation>%1 小时前</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/stale_banner.py" line="79"/>
        <source>feed disconnected</source>
        <translation>数据源已断开</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/stale_banner.py" line="81"/>
        <source>feed silent</source>
        <translation>数据源无响应</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/stale_banner.py" line="83"/>
        <source>reconnecting to the feed</source>
        <translation>正在重连数据源</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/stale_banner.py" line="85"/>
        <source>the feed sends no new data</source>
        <translation>数据源未发送新数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/stale_banner.py" line="91"/>
        <source>DATA STALE</source>
        <translation>数据已过期</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/wall/stale_banner.py" line="93"/>
        <source>DATA STALE since %1</source>
        <translation>数据自 %1 起已过期</translation>
    </message>
</context>
<context>
    <name>StartDialog</name>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="74"/>
        <source>Warroom — start</source>
        <extracomment>A connection test&apos;s result, from the worker thread (queued to the dialog&apos;s thread).</extracomment>
        <translation>作战室 — 启动</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="93"/>
        <source>What should this console show?</source>
        <translation>这台控制台要显示什么？</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="96"/>
        <source>No feed address is configured yet.</source>
        <translation>尚未配置数据源地址。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="98"/>
        <source>Set feed_url in %1, or choose here.</source>
        <translation>可在 %1 中设置 feed_url，或在此选择。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="103"/>
        <source>Connect to a live feed</source>
        <translation>连接实时数据源</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="104"/>
        <source>The address of your platform&apos;s Warroom feed, e.g. ws://feed.example.com:8765</source>
        <translation>贵平台 Warroom 数据源的地址，例如 ws://feed.example.com:8765</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="113"/>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="117"/>
        <source>Connect</source>
        <translation>连接</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="131"/>
        <source>Review a recording</source>
        <translation>回放录制</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="132"/>
        <source>A history a console, recorder or drill wrote, or an incident bundle (.duckdb).</source>
        <translation>控制台、录制器或演练写下的历史文件，或故障包（.duckdb）。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="133"/>
        <source>Open recording…</source>
        <translation>打开录制…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="139"/>
        <source>Try the demo</source>
        <translation>试用演示</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="140"/>
        <source>The built-in simulated payment platform, with a bank-gateway outage after 3 simulated minutes.</source>
        <translation>内置的模拟支付平台，模拟时间 3 分钟后银行网关发生故障。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="141"/>
        <source>Start the demo</source>
        <translation>启动演示</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="147"/>
        <source>Remember the address or the demo for the next start</source>
        <translation>下次启动时记住该地址或演示</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="150"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="213"/>
        <source>Testing the connection to %1…</source>
        <translation>正在测试到 %1 的连接…</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="237"/>
        <source>Connected: %1 answered (protocol %2).</source>
        <translation>连接成功：%1 已应答（协议 %2）。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="240"/>
        <source>Your role: %1.</source>
        <translation>您的角色：%1。</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="256"/>
        <source>Open a recording</source>
        <translation>打开录制</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/start/start_dialog.py" line="257"/>
        <source>Recordings and bundles (*.duckdb *.db);;All files (*)</source>
        <translation>录制与故障包 (*.duckdb *.db);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>TopologyMapPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/map/panel.py" line="113"/>
        <source>Highlight a scenario&apos;s path on the map</source>
        <extracomment>A big topology whose feed gives no groups is drawn in groups made up from its names, kinds or calls (``warroom.core.graph.grouping.derive_groups``); False draws every box.</extracomment>
        <translation>在拓扑图上高亮某个业务场景的调用链路</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/panel.py" line="114"/>
        <source>Fit (F)</source>
        <translation>适应窗口 (F)</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/panel.py" line="119"/>
        <source>Find a service</source>
        <translation>查找服务</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/panel.py" line="128"/>
        <source>Unhealthy only</source>
        <translation>仅显示异常</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/panel.py" line="131"/>
        <source>Close groups</source>
        <translation>收起分组</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/panel.py" line="147"/>
        <source>Highlight:</source>
        <translation>高亮链路：</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/panel.py" line="343"/>
        <source>load %1</source>
        <translation>负载 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/panel.py" line="343"/>
        <source>%1 req/s</source>
        <translation>%1/秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/panel.py" line="343"/>
        <source>%1 err</source>
        <translation>错误 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/panel.py" line="344"/>
        <source>%1 unhealthy</source>
        <translation>%1 个异常</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/panel.py" line="344"/>
        <source>all healthy</source>
        <translation>全部正常</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/panel.py" line="344"/>
        <location filename="../../warroom/ui/panels/map/panel.py" line="425"/>
        <source>no data for %1 s</source>
        <translation>已 %1 秒无数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/panel.py" line="374"/>
        <source>%1/s</source>
        <translation>%1/秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/panel.py" line="422"/>
        <source>%1
%2 services, %3 unhealthy
click to open the group</source>
        <translation>%1
%2 个服务，%3 个异常
点击展开分组</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/panel.py" line="428"/>
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
        <location filename="../../warroom/ui/panels/map/panel.py" line="433"/>
        <source>%1 → %2
%3 req/s, errors %4</source>
        <translation>%1 → %2
%3 请求/秒，错误率 %4</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/panel.py" line="452"/>
        <source>ROOT CAUSE</source>
        <translation>根因</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/panel.py" line="554"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/drawing.py" line="61"/>
        <source>Channels</source>
        <extracomment>On a big map, healthy calls are drawn from this zoom on (boxes 75 px wide): below it three thousand of them are a fog that costs 100+ ms a repaint; calls in trouble always show.</extracomment>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/drawing.py" line="62"/>
        <source>Services</source>
        <translation>服务</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/drawing.py" line="63"/>
        <source>Banks</source>
        <translation>银行</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/drawing.py" line="64"/>
        <source>Databases</source>
        <translation>数据库</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/drawing.py" line="65"/>
        <source>Caches</source>
        <translation>缓存</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/map/drawing.py" line="66"/>
        <source>Message queues</source>
        <translation>消息队列</translation>
    </message>
</context>
</TS>
