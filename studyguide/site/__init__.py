"""Writing the site: gather, write into a temporary folder, swap in; incremental rebuilds; search."""
