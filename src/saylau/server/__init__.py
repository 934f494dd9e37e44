"""App assembly: the API, the public pages and the open files made into one web server."""
