# Installed by ganviz as <prefix>/etc/jupyter/voila.py, a config file that every standalone
# `voila` in this environment reads. Standalone Voilà loads no Jupyter server extensions, so
# ganviz's route for plotly's widget bundle is missing there; this lets Voilà serve the bundle
# as a static file instead, and each page import it without waiting for its kernel
# (see ganviz/_server.py).
try:
    from ganviz._server import configure_voila
except ImportError:  # ganviz uninstalled, this file left behind: Voilà as it comes
    pass
else:
    configure_voila(c)  # noqa: F821 (c: the config object Voilà runs this file with)
