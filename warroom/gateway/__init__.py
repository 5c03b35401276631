"""``warroom gateway``: the console's feed, from real platforms.

Sources (``sources/``: Prometheus service graphs or Istio metrics, Alertmanager webhooks, CI
annotations) become protocol messages served with the same feed server as the simulator's;
plans of the site file act on real systems through executors (``executors/``: HTTP,
Sentinel, Istio, a local command). The site file (``site/``) says what to read and what
each plan does. docs/gateway.md goes from install to a first wall.
"""
