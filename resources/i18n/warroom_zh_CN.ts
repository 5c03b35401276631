<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AlertDialogs</name>
    <message>
        <location filename="../../warroom/ui/panels/alert_dialogs.py" line="78"/>
        <source>Your name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_dialogs.py" line="106"/>
        <source>Acknowledge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_dialogs.py" line="106"/>
        <source>Comment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_dialogs.py" line="111"/>
        <source>Add a note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_dialogs.py" line="115"/>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_dialogs.py" line="125"/>
        <source>Silence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_dialogs.py" line="126"/>
        <source>This alert: %1 on %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_dialogs.py" line="127"/>
        <source>Everything on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_dialogs.py" line="132"/>
        <source>Match</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_dialogs.py" line="138"/>
        <source>custom…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_dialogs.py" line="140"/>
        <source>e.g. 90m, 2h, 1d</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_dialogs.py" line="143"/>
        <source>For</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_dialogs.py" line="147"/>
        <source>Why</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AlertsPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/alert_model.py" line="71"/>
        <source>acked by %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_model.py" line="73"/>
        <source>pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_model.py" line="75"/>
        <source>firing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_model.py" line="86"/>
        <source>after change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_model.py" line="87"/>
        <source>after change: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_model.py" line="96"/>
        <source>flapping</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_model.py" line="98"/>
        <source>silenced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_model.py" line="107"/>
        <source>+1 symptom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_model.py" line="108"/>
        <source>+%1 symptoms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_model.py" line="111"/>
        <source>(worst %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_model.py" line="127"/>
        <source>ROOT CAUSE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_model.py" line="131"/>
        <location filename="../../warroom/ui/panels/alert_model.py" line="160"/>
        <source>root cause: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_model.py" line="156"/>
        <source>since %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_model.py" line="166"/>
        <source>plans: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="70"/>
        <source>Alerting is off</source>
        <extracomment>The longest silence the console makes: every silence ends, and soon.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="84"/>
        <source>Reload rules</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="95"/>
        <source>Acknowledge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="96"/>
        <source>Silence…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="97"/>
        <source>Runbook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="98"/>
        <source>Silences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="195"/>
        <source>Rule file error: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="199"/>
        <source>Silences (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="205"/>
        <source>No active alerts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="209"/>
        <source>%1 firing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="211"/>
        <source>%1 pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="213"/>
        <source>%1 acked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="216"/>
        <source>%1 silenced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="276"/>
        <location filename="../../warroom/ui/panels/alerts.py" line="291"/>
        <source>Select an alert first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="281"/>
        <location filename="../../warroom/ui/panels/alerts.py" line="296"/>
        <source>Say who you are: every action names who took it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="283"/>
        <source>An acknowledgement needs a comment: say what you are doing about it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="285"/>
        <source>Acknowledged: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="298"/>
        <source>A silence needs a reason: say why the alert may stay quiet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="302"/>
        <source>Duration: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="304"/>
        <source>A silence lasts more than nothing and at most 7 days.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="307"/>
        <source>No data yet: nothing to silence.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="316"/>
        <source>Silenced for %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="322"/>
        <source>This alert has no runbook.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="324"/>
        <source>Could not open %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="331"/>
        <source>Select a silence first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="332"/>
        <source>Silence ended.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="339"/>
        <source>Rules reloaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="341"/>
        <source>The rule file still has an error; the rules in force stay.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alerts.py" line="350"/>
        <source>Failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChartPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="190"/>
        <source>crit</source>
        <translation>严重</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="190"/>
        <source>warn</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="315"/>
        <source>No series selected</source>
        <translation>未选择序列</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="317"/>
        <source>Waiting for data</source>
        <translation>等待数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="319"/>
        <source>No data for %1</source>
        <translation>%1 暂无数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="330"/>
        <source>last %1 min</source>
        <translation>最近 %1 分钟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="335"/>
        <source>Scenario success rate</source>
        <translation>场景成功率</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="336"/>
        <source>Scenario TPS</source>
        <translation>场景 TPS</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="337"/>
        <source>Scenario requests</source>
        <translation>场景请求量</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="338"/>
        <source>Scenario blocked</source>
        <translation>场景拦截量</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="339"/>
        <source>Service requests</source>
        <translation>服务请求量</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="340"/>
        <source>Service error rate</source>
        <translation>服务错误率</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="341"/>
        <source>Service latency</source>
        <translation>服务延迟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="342"/>
        <source>Service saturation</source>
        <translation>服务饱和度</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="343"/>
        <source>Service blocked</source>
        <translation>服务拦截量</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="344"/>
        <source>Call rate</source>
        <translation>调用量</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="345"/>
        <source>Call error rate</source>
        <translation>调用错误率</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="346"/>
        <source>Call latency</source>
        <translation>调用延迟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="369"/>
        <source>Fault</source>
        <translation>故障注入</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="369"/>
        <source>Fault over</source>
        <translation>故障解除</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="371"/>
        <source>Rollback</source>
        <translation>回滚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="371"/>
        <source>Deploy</source>
        <translation>发布</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="373"/>
        <source>Plan undone</source>
        <translation>预案撤销</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="373"/>
        <source>Plan expired</source>
        <translation>预案到期</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="373"/>
        <source>Plan</source>
        <translation>预案</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/chart.py" line="375"/>
        <source>Config</source>
        <translation>配置变更</translation>
    </message>
</context>
<context>
    <name>EventFeedPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="36"/>
        <source>DEPLOY</source>
        <extracomment>Kinds whose routine (info) events are changes to the platform: shown in the accent colour.</extracomment>
        <translation>发布</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="37"/>
        <source>CONFIG</source>
        <translation>配置</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="38"/>
        <source>ALERT</source>
        <translation>告警</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="39"/>
        <source>INCIDENT</source>
        <translation>故障</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="40"/>
        <source>PLAN</source>
        <translation>预案</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="41"/>
        <source>FAULT</source>
        <translation>故障注入</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="42"/>
        <source>FEED</source>
        <translation>数据源</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="43"/>
        <source>NOTE</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="44"/>
        <source>SILENCE</source>
        <translation>静默</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="133"/>
        <source>Time (%1)</source>
        <translation>时间 (%1)</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="134"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="134"/>
        <source>Subject</source>
        <translation>对象</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="135"/>
        <source>What happened</source>
        <translation>事件详情</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/events.py" line="202"/>
        <source>Show or hide this kind of event</source>
        <translation>显示或隐藏此类事件</translation>
    </message>
</context>
<context>
    <name>FeedHealthPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="49"/>
        <source>LIVE</source>
        <extracomment>Data older than this turns the frame amber... ...and older than this, red. Connection states that are not (yet) a healthy live stream. The data age keeps counting while nothing arrives (and the view&apos;s version stands still).</extracomment>
        <translation>实时</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="50"/>
        <source>STALE</source>
        <translation>数据停滞</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="51"/>
        <source>CONNECTING</source>
        <translation>连接中</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="52"/>
        <source>DISCONNECTED</source>
        <translation>已断开</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="60"/>
        <source>no data yet</source>
        <translation>尚无数据</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="63"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="65"/>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="68"/>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="70"/>
        <source>data is %1 old</source>
        <translation>数据延迟 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="77"/>
        <source>no protocol errors</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="121"/>
        <source>Protocol errors</source>
        <translation>协议错误</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="122"/>
        <source>Received</source>
        <translation>已接收</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="123"/>
        <source>Series</source>
        <translation>序列</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="207"/>
        <source>%1 points</source>
        <translation>%1 个数据点</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="207"/>
        <source>%1 point</source>
        <translation>%1 个数据点</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/health.py" line="209"/>
        <source>%1 series</source>
        <translation>%1 条序列</translation>
    </message>
</context>
<context>
    <name>IncidentDialogs</name>
    <message>
        <location filename="../../warroom/ui/panels/incident_dialogs.py" line="25"/>
        <source>Set the owner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_dialogs.py" line="26"/>
        <source>Owner</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>IncidentsPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="42"/>
        <source>OPEN</source>
        <extracomment>Resolved incidents listed below the live ones.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="43"/>
        <source>ACKNOWLEDGED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="44"/>
        <location filename="../../warroom/ui/panels/incident_model.py" line="161"/>
        <source>RECOVERING</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="45"/>
        <location filename="../../warroom/ui/panels/incident_model.py" line="129"/>
        <location filename="../../warroom/ui/panels/incident_model.py" line="166"/>
        <source>RESOLVED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="58"/>
        <source>MTTR %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="61"/>
        <source>open %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="67"/>
        <source>owner %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="68"/>
        <source>no owner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="70"/>
        <source>1 alert</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="71"/>
        <source>%1 alerts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="84"/>
        <source>started %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="85"/>
        <source>detected %1 (MTTD %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="90"/>
        <source>acked %1 by %2 (MTTA %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="93"/>
        <source>not acknowledged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="95"/>
        <source>restored %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="117"/>
        <location filename="../../warroom/ui/panels/incident_model.py" line="149"/>
        <source>ROOT CAUSE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="118"/>
        <source>%1: root cause now %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="121"/>
        <source>FIRING</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="124"/>
        <source>ACKED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="128"/>
        <source>CLEARED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="130"/>
        <source>PENDING</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="142"/>
        <source>OPENED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="142"/>
        <source>Incident opened: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="143"/>
        <source>root cause %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="146"/>
        <source>JOINED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="146"/>
        <source>Alert joined: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="149"/>
        <source>Root cause now %1 (was %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="152"/>
        <source>ESCALATED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="153"/>
        <source>Escalated to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="155"/>
        <source>ACK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="156"/>
        <source>Acknowledged by %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="158"/>
        <source>OWNER</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="158"/>
        <source>Owner: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="159"/>
        <source>set by %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="162"/>
        <source>All alerts resolved: verifying the recovery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="164"/>
        <source>REOPENED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="164"/>
        <source>Reopened: an alert fired again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="166"/>
        <source>Resolved: recovery verified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="168"/>
        <source>Merged in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="169"/>
        <source>Merged into %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="170"/>
        <source>MERGED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="189"/>
        <source>NOTE</source>
        <translation type="unfinished">备注</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="191"/>
        <source>DEPLOY</source>
        <translation type="unfinished">发布</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="192"/>
        <source>CONFIG</source>
        <translation type="unfinished">配置</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incident_model.py" line="193"/>
        <source>PLAN</source>
        <translation type="unfinished">预案</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents.py" line="68"/>
        <source>Alerting is off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents.py" line="91"/>
        <source>Acknowledge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents.py" line="92"/>
        <source>Set owner…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents.py" line="93"/>
        <source>Add note…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents.py" line="94"/>
        <source>All events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents.py" line="171"/>
        <source>No incidents</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents.py" line="173"/>
        <source>%1 live  ·  %2 resolved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents.py" line="264"/>
        <location filename="../../warroom/ui/panels/incidents.py" line="278"/>
        <location filename="../../warroom/ui/panels/incidents.py" line="292"/>
        <source>Select an incident first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents.py" line="269"/>
        <location filename="../../warroom/ui/panels/incidents.py" line="284"/>
        <location filename="../../warroom/ui/panels/incidents.py" line="297"/>
        <source>Say who you are: every action names who took it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents.py" line="271"/>
        <source>An acknowledgement needs a comment: say what you are doing about it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents.py" line="272"/>
        <source>Incident acknowledged.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents.py" line="286"/>
        <source>Owner set: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents.py" line="298"/>
        <source>Note added.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/incidents.py" line="307"/>
        <source>Failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>KpiTileWidget</name>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tile_widget.py" line="74"/>
        <source>OK</source>
        <extracomment>Most points drawn in a sparkline; longer trends are averaged into buckets.</extracomment>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tile_widget.py" line="74"/>
        <source>WARNING</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tile_widget.py" line="74"/>
        <source>CRITICAL</source>
        <translation>严重</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tile_widget.py" line="75"/>
        <source>NO DATA</source>
        <translation>无数据</translation>
    </message>
</context>
<context>
    <name>KpiTilesPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="209"/>
        <source>TPS</source>
        <extracomment>Fewer trend points than this (a minute of data) and the TPS median is not trusted yet.</extracomment>
        <translation>TPS</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="209"/>
        <source>tx/s</source>
        <translation>笔/秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="210"/>
        <source>Success rate</source>
        <translation>成功率</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="211"/>
        <source>P99 latency</source>
        <translation>P99 延迟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="211"/>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="212"/>
        <source>MTTR</source>
        <translation>MTTR</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="212"/>
        <source>min</source>
        <translation>分钟</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="213"/>
        <source>Active incidents</source>
        <translation>进行中故障</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="244"/>
        <source>building 15-min baseline</source>
        <translation>正在建立 15 分钟基线</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="248"/>
        <source>%1% vs 15-min median</source>
        <translation>较 15 分钟中位数 %1%</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="254"/>
        <source>goal ≥ %1%</source>
        <translation>目标 ≥ %1%</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="262"/>
        <source>entry services</source>
        <translation>入口服务</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="272"/>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="273"/>
        <source>alerting off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="282"/>
        <source>today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="282"/>
        <source>last 7 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="286"/>
        <source>no resolved incidents</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="289"/>
        <source>%1, %2 resolved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="294"/>
        <source>none open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/kpi_tiles.py" line="298"/>
        <source>%1 · root %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../warroom/ui/main_window.py" line="102"/>
        <source>Warroom</source>
        <extracomment>Starting guesses of a panel&apos;s refresh and paint time, seconds, until it has been measured.</extracomment>
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
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="20"/>
        <source>Incidents</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/registry.py" line="21"/>
        <source>Contingency plans</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PlansPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="72"/>
        <source>Guard KPI did not recover in time — roll back or escalate</source>
        <extracomment>History a preview rests on, in minutes (``warroom.io.plan_desk.PREVIEW_SPAN_MS``). From this width (px) the detail has two columns.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="74"/>
        <location filename="../../warroom/ui/panels/plans.py" line="103"/>
        <source>Roll back…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="108"/>
        <source>Steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="109"/>
        <source>Rollback</source>
        <translation type="unfinished">回滚</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="110"/>
        <source>Guard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="111"/>
        <source>Expiry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="112"/>
        <source>Parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="142"/>
        <location filename="../../warroom/ui/panels/plans.py" line="329"/>
        <source>Select a plan to see what it would do.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="168"/>
        <source>CRITICAL: type the id to confirm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="170"/>
        <source>SUGGESTED for the current root cause: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="186"/>
        <source>Impact estimate (the plan is in force)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="187"/>
        <source>Impact if executed now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="194"/>
        <source>Estimated from the last %1 min of data, up to %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="197"/>
        <source>The map shows what it touches; the figures need live data.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="212"/>
        <source>by %1: “%2”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="216"/>
        <source>rollback asked by %1: “%2”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="220"/>
        <location filename="../../warroom/ui/panels/plans.py" line="388"/>
        <location filename="../../warroom/ui/panels/plans.py" line="428"/>
        <location filename="../../warroom/ui/panels/plans.py" line="437"/>
        <location filename="../../warroom/ui/panels/plans.py" line="451"/>
        <source>Failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="231"/>
        <source>Expires in %1 (at %2): the plan then rolls back by itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="244"/>
        <source>before %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="246"/>
        <source>after %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="248"/>
        <source>now %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_detail.py" line="250"/>
        <source>needs %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="76"/>
        <source>Execute plan — step 1 of 2: review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="77"/>
        <source>Next…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="80"/>
        <location filename="../../warroom/ui/panels/plan_list.py" line="82"/>
        <source>CRITICAL</source>
        <translation type="unfinished">严重</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="82"/>
        <source>If executed now:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="88"/>
        <source>Guard: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="92"/>
        <source>why now? it goes into the audit trail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="93"/>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="146"/>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="104"/>
        <source>Execute plan — step 2 of 2: confirm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="105"/>
        <source>Execute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="108"/>
        <source>Execute %1 on %2 now?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="110"/>
        <source>Reason: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="114"/>
        <source>This plan is critical. Type its id to confirm: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="116"/>
        <source>Plan id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="136"/>
        <source>Roll back plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="136"/>
        <source>Roll back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="139"/>
        <source>Roll back %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="140"/>
        <source>Now: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="145"/>
        <source>why? it goes into the audit trail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="157"/>
        <source>Who is acting?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="157"/>
        <source>OK</source>
        <translation type="unfinished">正常</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="158"/>
        <source>Plan steps go into the audit trail with your name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_dialogs.py" line="161"/>
        <source>Your name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_list.py" line="79"/>
        <source>SUGGESTED for %1</source>
        <extracomment>The widest kind chip, so that every title starts at the same place.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_list.py" line="89"/>
        <source>by %1 at %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_progress.py" line="54"/>
        <source>Confirmed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_progress.py" line="56"/>
        <source>Sending…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_progress.py" line="58"/>
        <source>Sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_progress.py" line="60"/>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_progress.py" line="62"/>
        <location filename="../../warroom/ui/panels/plan_progress.py" line="66"/>
        <source>In force</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_progress.py" line="64"/>
        <source>Executing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_progress.py" line="71"/>
        <source>Effective</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_progress.py" line="73"/>
        <location filename="../../warroom/ui/panels/plan_text.py" line="115"/>
        <source>NOT EFFECTIVE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_progress.py" line="75"/>
        <source>No guard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_progress.py" line="78"/>
        <source>Verifying…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_progress.py" line="79"/>
        <source>by %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_progress.py" line="81"/>
        <source>Effective?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_progress.py" line="84"/>
        <source>Expired, rolled back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_progress.py" line="87"/>
        <source>Rolling back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_progress.py" line="90"/>
        <source>Rolled back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="97"/>
        <source>FAILOVER</source>
        <extracomment>The feed&apos;s clock shown as in the event list (the platform runs on UTC+8).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="97"/>
        <source>RATE LIMIT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="98"/>
        <source>DEGRADE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="111"/>
        <location filename="../../warroom/ui/panels/plan_text.py" line="112"/>
        <source>EXECUTING</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="113"/>
        <source>IN FORCE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="114"/>
        <source>EFFECTIVE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="116"/>
        <source>ROLLING BACK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="117"/>
        <source>FAILED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="118"/>
        <source>rolled back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="119"/>
        <source>expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="140"/>
        <source>success</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="141"/>
        <source>error rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="142"/>
        <location filename="../../warroom/ui/panels/plan_text.py" line="143"/>
        <source>requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="157"/>
        <source>%1 %2 within %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="168"/>
        <source>no guard KPI: check by hand that it worked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="184"/>
        <source>none: stays in force until rolled back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="185"/>
        <source>rolls back by itself %1 after execution (warning %2 before)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="206"/>
        <source>no recent data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="207"/>
        <source>No estimate: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="216"/>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="217"/>
        <source>Switches %1 to its standby%2: %3 req/s of load, %4 of capacity.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="221"/>
        <source>Scenarios touched: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="229"/>
        <source>Would reject %1 req/s now (%2 of %3 offered), up to %4 at the peak.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="232"/>
        <source>Would reject nothing on average now (%1 req/s offered), up to %2 req/s at the peak.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="236"/>
        <source>Would reject nothing now: %1 req/s offered (peak %2) is under the limit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="239"/>
        <source>Admits at most %1 req/s (Sentinel FlowRule count).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="242"/>
        <source>Scenarios losing traffic: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="250"/>
        <source>Switches off %1; removes %2 req/s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="252"/>
        <source>Switches off %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="255"/>
        <source>Its callers (%1) go on without it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="264"/>
        <source>Moves %1 req/s from %2 to %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="267"/>
        <source>%1 at %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plan_text.py" line="269"/>
        <source>After the move: %1 of capacity.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="83"/>
        <source>Plans unavailable</source>
        <extracomment>Run states a rollback can be asked for in (``PlanBook.request_rollback``). Narrower than this (px), the detail goes under the list instead of beside it.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="87"/>
        <source>This console has no plan desk: it is not connected to a feed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="102"/>
        <source>Execute…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="238"/>
        <source>The feed offers no plans</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="243"/>
        <source>%1 plans</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="245"/>
        <source>%1 in force</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="247"/>
        <source>%1 NOT EFFECTIVE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="250"/>
        <source>%1 suggested</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="289"/>
        <location filename="../../warroom/ui/panels/plans.py" line="379"/>
        <location filename="../../warroom/ui/panels/plans.py" line="407"/>
        <source>your role may view plans but not execute them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="294"/>
        <source>Review the impact, then confirm twice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="295"/>
        <source>Undo the selected plan&apos;s run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="296"/>
        <source>Undo the plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="347"/>
        <source>No preview for %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="377"/>
        <source>Select a plan first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="382"/>
        <location filename="../../warroom/ui/panels/plans.py" line="394"/>
        <location filename="../../warroom/ui/panels/plans.py" line="397"/>
        <location filename="../../warroom/ui/panels/plans.py" line="410"/>
        <location filename="../../warroom/ui/panels/plans.py" line="413"/>
        <source>Cancelled: nothing was sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="398"/>
        <source>Sending %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="405"/>
        <source>Nothing to roll back: the selected plan is not in force.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="414"/>
        <source>Rolling back %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="442"/>
        <source>Sent %1 (run %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/plans.py" line="453"/>
        <source>Rollback sent: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ScenarioBoardPanel</name>
    <message>
        <location filename="../../warroom/ui/panels/scenarios.py" line="152"/>
        <source>OK</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/scenarios.py" line="153"/>
        <source>WARN</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/scenarios.py" line="154"/>
        <source>CRIT</source>
        <translation>严重</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/scenarios.py" line="156"/>
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
    <name>SilenceListWidget</name>
    <message>
        <location filename="../../warroom/ui/panels/alert_silences.py" line="31"/>
        <source>starts in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_silences.py" line="32"/>
        <source>ends in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_silences.py" line="46"/>
        <source>End silence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_silences.py" line="58"/>
        <source>Matches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_silences.py" line="58"/>
        <source>Time left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_silences.py" line="58"/>
        <source>By / why</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/alert_silences.py" line="79"/>
        <source>Silences (%1)</source>
        <translation type="unfinished"></translation>
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
        <location filename="../../warroom/ui/panels/topology_map.py" line="156"/>
        <source>Fit (F)</source>
        <translation>适应窗口 (F)</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/topology_map.py" line="166"/>
        <source>Highlight:</source>
        <translation>高亮链路：</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/topology_map.py" line="233"/>
        <source>load %1</source>
        <translation>负载 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/topology_map.py" line="233"/>
        <source>%1 req/s</source>
        <translation>%1/秒</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/topology_map.py" line="233"/>
        <source>%1 err</source>
        <translation>错误 %1</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/topology_map.py" line="263"/>
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
        <location filename="../../warroom/ui/panels/topology_map.py" line="268"/>
        <source>%1 → %2
%3 req/s, errors %4</source>
        <translation>%1 → %2
%3 请求/秒，错误率 %4</translation>
    </message>
    <message>
        <location filename="../../warroom/ui/panels/topology_map.py" line="306"/>
        <source>None</source>
        <translation>无</translation>
    </message>
</context>
</TS>
