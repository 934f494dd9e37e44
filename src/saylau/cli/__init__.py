"""The `saylau` command line: one group per context, thin over the service functions."""
