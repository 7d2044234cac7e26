/**
 * "Which HTTP status code are you?": the questions, the codes a visitor
 * can turn out to be, and how answers add up to one of them.
 *
 * @module
 */

/** A status code a visitor can turn out to be. */
export interface SurveyResult {
  /** The code, as its id ("418"). */
  code: string;
  /** Its reason phrase. */
  reason: string;
  /** What it says about you (plain text). */
  description: string;
}

/** One question: each choice counts towards one result. */
export interface SurveyQuestion {
  /** The question (plain text). */
  text: string;
  /** The choices: text, and the `code` of the result it counts for. */
  choices: ReadonlyArray<{ text: string; code: string }>;
}

/** The results, in the order ties are broken (earlier wins). */
export const SURVEY_RESULTS: readonly SurveyResult[] = [
  {
    code: "200",
    reason: "OK",
    description:
      "Dependable and done on time. People ask, you deliver, no drama, and nobody thinks to thank you because it just works.",
  },
  {
    code: "301",
    reason: "Moved Permanently",
    description:
      "Always on to the next place, the next idea. You leave a forwarding address, and the people who matter follow it.",
  },
  {
    code: "404",
    reason: "Not Found",
    description:
      "Hard to reach and happy that way. When people do find you, they find something nobody else has seen.",
  },
  {
    code: "418",
    reason: "I'm a teapot",
    description:
      "Short, stout and impossible to pin down. You refuse to brew coffee on principle and make every room more fun.",
  },
  {
    code: "503",
    reason: "Service Unavailable",
    description:
      "Giving so much that you sometimes need a break. Rest is part of the job: send Retry-After and come back stronger.",
  },
];

/** The questions, in the order they are shown. */
export const SURVEY_QUESTIONS: readonly SurveyQuestion[] = [
  {
    text: "It is Monday, 8 a.m. You…",
    choices: [
      { text: "have answered every message already", code: "200" },
      { text: "are planning a move somewhere new", code: "301" },
      { text: "cannot be reached; the phone is off", code: "404" },
      { text: "make tea and decline all coffee runs", code: "418" },
      { text: "are back in bed; try again later", code: "503" },
    ],
  },
  {
    text: "A friend asks you to help them move house.",
    choices: [
      { text: "Of course, I will bring the boxes.", code: "200" },
      { text: "I will point you to a better moving company.", code: "301" },
      { text: "(You leave the message on read.)", code: "404" },
      { text: "Sure, but I am carrying the teapot.", code: "418" },
      { text: "Not this week, I am at capacity.", code: "503" },
    ],
  },
  {
    text: "Your ideal weekend:",
    choices: [
      { text: "Getting things done, all of them", code: "200" },
      { text: "Travelling somewhere I have never been", code: "301" },
      { text: "Off the grid where nobody finds me", code: "404" },
      { text: "Something nobody would expect", code: "418" },
      { text: "Sleeping, at last", code: "503" },
    ],
  },
  {
    text: "Your inbox right now:",
    choices: [
      { text: "Zero. Always zero.", code: "200" },
      { text: "Forwarded to my new address", code: "301" },
      { text: "What inbox?", code: "404" },
      { text: "Mostly tea recipes", code: "418" },
      { text: "Overflowing; I will get to it", code: "503" },
    ],
  },
  {
    text: "Pick a motto:",
    choices: [
      { text: "It just works.", code: "200" },
      { text: "Onwards.", code: "301" },
      { text: "You will never find me.", code: "404" },
      { text: "Short and stout.", code: "418" },
      { text: "Be right back.", code: "503" },
    ],
  },
];

/** The result with `code`, or undefined. */
export function findResult(code: string): SurveyResult | undefined {
  return SURVEY_RESULTS.find((r) => r.code === code);
}

/**
 * The result that a complete, valid set of answers (one choice index per
 * question) counts most towards; ties go to the earlier result.
 */
export function resultFor(answers: readonly number[]): SurveyResult {
  const votes = new Map<string, number>();
  SURVEY_QUESTIONS.forEach((q, i) => {
    const code = q.choices[answers[i]!]!.code;
    votes.set(code, (votes.get(code) ?? 0) + 1);
  });
  let best = SURVEY_RESULTS[0]!;
  for (const r of SURVEY_RESULTS) {
    if ((votes.get(r.code) ?? 0) > (votes.get(best.code) ?? 0)) best = r;
  }
  return best;
}
