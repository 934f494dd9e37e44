"""Publication: the per-PEC open datasets, the NIST results CDF and the static public site."""
