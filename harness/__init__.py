"""Starting and talking to the assistant's servers: the one place that knows how.

`harness.servers` builds the `rasa run` and `rasa run actions` command lines
(the only place they are written) and starts servers for `make run`, the
tests, the benchmark and the scale-out driver, exactly as production runs
them; `harness.client` talks to a running server.
"""
