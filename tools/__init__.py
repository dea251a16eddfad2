"""Development tools that are not part of the package: the sample generator."""
