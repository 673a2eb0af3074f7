"""Connectors to external statistics sources (plain Python: no Django imports).

Every source is one client class returning a :class:`~livsvillkor.sources.base.SourceResult`: a tidy
``pandas.DataFrame`` plus the :class:`~livsvillkor.sources.base.Provenance` needed to trace each value
back to the request that produced it.
"""
