"""Named constants of the CUSUM and VLAD charts, each with its source.

References: Steiner, Cook, Farewell & Treasure, "Monitoring surgical performance using
risk-adjusted cumulative sum charts", Biostatistics 2000;1:441 (the risk-adjusted CUSUM);
Bottle & Aylin, "Predicting the false alarm rate in multi-institution mortality monitoring",
J Oper Res Soc 2011;62:1711 (Imperial College's alerts); R surveillance 1.20.3 and spc 0.6.7 (the
conformance references, tests/conformance/cusum_README.md).
"""

from __future__ import annotations

# --- Charts ------------------------------------------------------------------------------------

# Imperial College's alerts test for "an odds ratio of at least 2" (Bottle, Imperial slides;
# oversight-methods.md §3), the alternative Steiner et al. (2000) also use.
IMPERIAL_ODDS_RATIO = 2.0
# Alerts sent to trusts used roughly a 0.1% false-alarm probability (Bottle & Aylin 2011).
IMPERIAL_FALSE_ALARM_RATE = 0.001
# surveillance::algo.cusum defaults (Rossi et al. 1999 approximate Poisson CUSUM).
ALGO_CUSUM_K = 1.04
ALGO_CUSUM_H = 2.26
# The transforms of the observed count that surveillance::algo.cusum offers (and we implement):
# "standard" (O - E)/sqrt(E), "rossi" (O - 3E + 2 sqrt(OE))/(2 sqrt(E)), "none" (O itself).
TRANSFORMS = ("standard", "rossi", "none")

# --- Design (ARL, thresholds, signal probability) ---------------------------------------------

# States of the Brook-Evans / Steiner Markov chain on [0, h] (linear mass splitting). The
# conformance README reports 1165 / 1170 / 1172.3 / 1172.2 for M = 250 / 500 / 1000 / 2000
# against an exact 1172.0: 1000 states are within about 0.1%.
MARKOV_STATES = 1000
# Gauss-Legendre nodes for the normal CUSUM's ARL integral equation (spc::xcusum.arl uses r = 30
# and is converged to about 1e-8; we take twice as many).
NORMAL_QUADRATURE_NODES = 60
# The Poisson support kept when a count's increments are tabulated: the tails beyond these
# probabilities are lumped into the end values (they either reset the chart or signal).
POISSON_TAIL = 1e-12
# Bounds of the search for h and how close it gets (the conformance tolerance on h is 0.05).
H_SEARCH_LOW = 1e-3
H_SEARCH_HIGH = 100.0
H_SEARCH_TOLERANCE = 1e-4
# The largest denominator tried when a count CUSUM's reference value is put on a lattice
# (spc::pois.cusum.arl works on the lattice 1/m).
MAX_LATTICE_DENOMINATOR = 1000
