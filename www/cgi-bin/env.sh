#!/bin/sh
# Shows the CGI/1.1 environment spidey gives a script, one variable a line,
# sorted. Handy for checking PATH_INFO, QUERY_STRING and HTTP_* mapping:
#   curl 'http://localhost:9234/cgi-bin/env.sh/extra/path?x=1'
printf 'Content-Type: text/plain; charset=utf-8\r\n\r\n'
env | LC_ALL=C sort
