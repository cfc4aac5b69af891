"""Loads engine plugins from disk (Python 2 era, never ported)."""
import imp

from netra_backend.app.agents.legacy.execution_engine_factory import ExecutionEngineFactory


def load_engine(path, version=2):
    if version <> 2:
        raise ValueError, "unsupported plugin version"
    print "loading engine plugin from %s" % path
    try:
        module = imp.load_source("engine_plugin", path)
    except Exception, e:
        print "failed to load %s: %s" % (path, e)
        raise
    return ExecutionEngineFactory(pool_size=module.POOL_SIZE)
