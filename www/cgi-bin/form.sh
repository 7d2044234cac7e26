#!/bin/sh
# A small form handler in POSIX sh and awk: GET shows the form, POST
# (application/x-www-form-urlencoded) decodes the fields and shows them
# back, HTML-escaped. Missing or overlong fields get a 422 page that names
# them and keeps what was typed.
LC_ALL=C
export LC_ALL

MAX_BODY=8192

# A plain-text error page: $1 status, $2 message, $3 an optional header line.
fail() {
  printf 'Status: %s\r\nContent-Type: text/plain; charset=utf-8\r\n' "$1"
  [ -n "$3" ] && printf '%s\r\n' "$3"
  printf '\r\n%s\n' "$2"
  exit 0
}

# Reads the form fields from stdin (mode=submit) or none (mode=form) and
# writes the whole HTML response, headers included.
render() {
  awk -v mode="$1" -v script="$SCRIPT_NAME" '
function hexval(c) { return index("0123456789abcdef", tolower(c)) - 1 }
function urldecode(s,    out, i, c, hi, lo, n) {
  gsub(/\+/, " ", s)
  out = ""
  n = length(s)
  for (i = 1; i <= n; i++) {
    c = substr(s, i, 1)
    if (c == "%" && i + 2 <= n) {
      hi = hexval(substr(s, i + 1, 1))
      lo = hexval(substr(s, i + 2, 1))
      if (hi >= 0 && lo >= 0) {
        # NUL cannot live in an awk string; drop it.
        if (hi * 16 + lo != 0) out = out sprintf("%c", hi * 16 + lo)
        i += 2
        continue
      }
    }
    out = out c
  }
  return out
}
function esc(s) {
  gsub(/&/, "\\&amp;", s)
  gsub(/</, "\\&lt;", s)
  gsub(/>/, "\\&gt;", s)
  gsub(/"/, "\\&quot;", s)
  gsub(/\047/, "\\&#39;", s)
  return s
}
function option(value, label) {
  printf "<option value=\"%s\"%s>%s</option>\n", value,
    (field["color"] == value ? " selected" : ""), label
}
function form() {
  print "<form method=\"post\" action=\"" esc(script) "\">"
  print "<p><label>Name <input name=\"name\" maxlength=\"100\" value=\"" esc(field["name"]) "\"></label></p>"
  print "<p><label>Message<br><textarea name=\"message\" rows=\"5\" cols=\"40\" maxlength=\"2000\">" esc(field["message"]) "</textarea></label></p>"
  print "<p><label>Favourite colour <select name=\"color\">"
  option("red", "Red")
  option("green", "Green")
  option("blue", "Blue")
  print "</select></label></p>"
  print "<p><button type=\"submit\">Send</button></p>"
  print "</form>"
}
function page(status, title) {
  printf "Status: %s\r\nContent-Type: text/html; charset=utf-8\r\n\r\n", status
  print "<!DOCTYPE html>"
  print "<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" title "</title>"
  print "<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto}dd{white-space:pre-wrap}.error{color:#a00}</style>"
  print "</head><body><h1>" title "</h1>"
}
{ body = body $0 }
END {
  if (mode == "form") {
    page("200 OK", "Leave a message")
    form()
    print "</body></html>"
    exit
  }
  count = split(body, pairs, "&")
  for (i = 1; i <= count; i++) {
    eq = index(pairs[i], "=")
    if (eq == 0) continue
    key = urldecode(substr(pairs[i], 1, eq - 1))
    if (!(key in field)) field[key] = urldecode(substr(pairs[i], eq + 1))
  }
  problems = ""
  if (field["name"] ~ /^[ \t\r\n]*$/) problems = problems "<li>Name is missing.</li>\n"
  else if (length(field["name"]) > 100) problems = problems "<li>Name is longer than 100 bytes.</li>\n"
  if (field["message"] ~ /^[ \t\r\n]*$/) problems = problems "<li>Message is missing.</li>\n"
  else if (length(field["message"]) > 2000) problems = problems "<li>Message is longer than 2000 bytes.</li>\n"
  if (field["color"] != "red" && field["color"] != "green" && field["color"] != "blue") {
    problems = problems "<li>Colour must be red, green or blue.</li>\n"
  }
  if (problems != "") {
    page("422 Unprocessable Content", "Please check the form")
    print "<ul class=\"error\">"
    printf "%s", problems
    print "</ul>"
    form()
    print "</body></html>"
    exit
  }
  page("200 OK", "Thank you")
  print "<dl>"
  print "<dt>Name</dt><dd>" esc(field["name"]) "</dd>"
  print "<dt>Message</dt><dd>" esc(field["message"]) "</dd>"
  print "<dt>Colour</dt><dd>" esc(field["color"]) "</dd>"
  print "</dl>"
  print "<p><a href=\"" esc(script) "\">Send another</a></p>"
  print "</body></html>"
}'
}

case "$REQUEST_METHOD" in
  GET | HEAD)
    render form </dev/null
    ;;
  POST)
    case "$CONTENT_TYPE" in
      application/x-www-form-urlencoded | application/x-www-form-urlencoded\;*) ;;
      *) fail "415 Unsupported Media Type" "Send the form as application/x-www-form-urlencoded." ;;
    esac
    case "$CONTENT_LENGTH" in
      '' | *[!0-9]*) fail "411 Length Required" "The form needs a Content-Length." ;;
    esac
    if [ "${#CONTENT_LENGTH}" -gt 6 ] || [ "$CONTENT_LENGTH" -gt "$MAX_BODY" ]; then
      fail "413 Content Too Large" "The form is limited to $MAX_BODY bytes."
    fi
    # Exactly CONTENT_LENGTH bytes, as RFC 3875 section 4.2 asks.
    dd bs=1 count="$CONTENT_LENGTH" 2>/dev/null | render submit
    ;;
  *)
    fail "405 Method Not Allowed" "Use GET to see the form and POST to send it." "Allow: GET, HEAD, POST"
    ;;
esac
