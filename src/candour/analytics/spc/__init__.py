"""Statistical process control: Making Data Count XmR charts (conformant with NHSRplotthedots
0.2.2), run charts, and P and U charts, each computed for many series at once.

See docs/reference/spc.md.
"""

from candour.analytics.spc.attribute import p_chart, u_chart
from candour.analytics.spc.result import SPCResult
from candour.analytics.spc.run import RunChartResult, run_chart
from candour.analytics.spc.xmr import spc

__all__ = ["RunChartResult", "SPCResult", "p_chart", "run_chart", "spc", "u_chart"]
