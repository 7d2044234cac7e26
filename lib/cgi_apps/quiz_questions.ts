/**
 * The HTTP quiz's questions: four choices each, one right, and an
 * explanation shown with the score.
 *
 * @module
 */

/** One multiple-choice question. */
export interface QuizQuestion {
  /** The question (plain text). */
  text: string;
  /** The four choices (plain text; `code` spans are added when shown). */
  choices: readonly [string, string, string, string];
  /** Index of the right choice. */
  answer: 0 | 1 | 2 | 3;
  /** Why it is right (plain text). */
  explanation: string;
}

/** The quiz, in the order it is asked. */
export const QUIZ: readonly QuizQuestion[] = [
  {
    text:
      "A server has never heard of the path you asked for. What does it answer?",
    choices: ["400 Bad Request", "403 Forbidden", "404 Not Found", "410 Gone"],
    answer: 2,
    explanation:
      "404 says nothing is there. 410 Gone is for something that existed and was removed for good; 403 means it exists but you may not have it.",
  },
  {
    text: "Which of these request methods is not idempotent?",
    choices: ["GET", "PUT", "DELETE", "POST"],
    answer: 3,
    explanation:
      "Sending the same PUT or DELETE twice leaves the server as one would (RFC 9110 section 9.2.2); sending a POST twice may, say, place two orders.",
  },
  {
    text: "Which header must every HTTP/1.1 request carry?",
    choices: ["User-Agent", "Host", "Accept", "Content-Length"],
    answer: 1,
    explanation:
      "Host names the site, so one address can serve many; a server answers 400 to an HTTP/1.1 request without it (RFC 9112 section 3.2).",
  },
  {
    text:
      "A browser sends If-None-Match with the ETag of its cached copy, and the file has not changed. What comes back?",
    choices: [
      "200 OK with the file again",
      "204 No Content",
      "304 Not Modified, without a body",
      "412 Precondition Failed",
    ],
    answer: 2,
    explanation:
      "304 tells the browser to use its copy, and saves sending the body. 412 is for If-Match, which guards writes.",
  },
  {
    text:
      "You ask for bytes 5000-5999 of a file that is 1000 bytes long. What is the status?",
    choices: [
      "206 Partial Content",
      "413 Content Too Large",
      "416 Range Not Satisfiable",
      "500 Internal Server Error",
    ],
    answer: 2,
    explanation:
      "416, with Content-Range: bytes */1000 to say how long the file really is. 206 is the answer when the range does fit.",
  },
  {
    text:
      "After a form is POSTed, which redirect tells the browser to fetch the next page with GET?",
    choices: [
      "301 Moved Permanently",
      "303 See Other",
      "307 Temporary Redirect",
      "308 Permanent Redirect",
    ],
    answer: 1,
    explanation:
      "303 always means: GET this other URL. 307 and 308 repeat the POST; the guestbook here uses 303, so reloading the page never signs twice.",
  },
  {
    text:
      "How does an HTTP/1.1 server send a body whose length it does not know yet?",
    choices: [
      "Content-Length: -1",
      "Transfer-Encoding: chunked",
      "Connection: keep-alive",
      "Content-Type: multipart/mixed",
    ],
    answer: 1,
    explanation:
      "Chunked coding sends the body in sized pieces and ends with a zero-size chunk, so the connection can stay open. spidey streams CGI output this way.",
  },
  {
    text:
      "Which response header lets a page from another origin read the response?",
    choices: [
      "Origin",
      "Referer",
      "Access-Control-Allow-Origin",
      "Content-Security-Policy",
    ],
    answer: 2,
    explanation:
      "Access-Control-Allow-Origin is the server's side of CORS. Origin is what the browser sends; Content-Security-Policy limits what the page itself may load.",
  },
  {
    text: "What is status code 418?",
    choices: [
      "I'm a teapot",
      "Misdirected Request",
      "Too Early",
      "Upgrade Required",
    ],
    answer: 0,
    explanation:
      "An April Fools' joke (RFC 2324, the Hyper Text Coffee Pot Control Protocol) that became so loved that RFC 9110 reserves the code. 421, 425 and 426 are the others.",
  },
  {
    text: "How does a CGI script set the status of its response?",
    choices: [
      "It prints an HTTP/1.1 status line first",
      "It prints a Status: header line",
      "It exits with the status code",
      "It cannot; the server always sends 200",
    ],
    answer: 1,
    explanation:
      "RFC 3875 section 6.3.3: the script prints Status: 404 Not Found among its headers, and the server writes the real status line. These pages do it that way.",
  },
];
