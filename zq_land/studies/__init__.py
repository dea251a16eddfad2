"""Studies over many solves: uncertainty sweeps and Pareto fronts (issue 15), run on Dask.

``sampling`` draws which projects arrive, ``engine`` runs tasks on a local or remote Dask cluster,
``sweep`` solves the samples and sums them up (probabilities, P10/P50/P90, the robust plan), ``pareto``
traces investment against revitalization and supplier proximity; :func:`zq_land.outputs.maps.chance_map`
draws the chances.
"""
