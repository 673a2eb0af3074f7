"""The statistics core of Livsvillkor: pure Python (numpy, pandas, scipy), no Django.

One module per family; see ``README.md`` in this folder for the API:

* :mod:`~livsvillkor.stats.intervals` — confidence intervals by value type
* :mod:`~livsvillkor.stats.inequality` — the 21 summary measures of inequality
* :mod:`~livsvillkor.stats.trend` — trend tests over time
* :mod:`~livsvillkor.stats.benchmark` — comparison with a benchmark
* :mod:`~livsvillkor.stats.progress` — progress toward a target
* :mod:`~livsvillkor.stats.disclosure` — primary and secondary suppression
* :mod:`~livsvillkor.stats.areaindex` — socio-economic area index and area types
* :mod:`~livsvillkor.stats.heat` — reader for the WHO HEAT Plus upload layout
"""
