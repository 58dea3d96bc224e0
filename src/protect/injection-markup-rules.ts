import { alt, gap, type InjectionRule, rule } from './injection-rule.js'

// Fake chat-template delimiters and instructions hidden for an AI reader, on the base view (line
// breaks kept, no leetspeak: "<|im_start|>" and "### System:" are punctuation-led).
export const AI_READER = [
  'ai',
  'a\\.i\\.',
  'assistant',
  'llm',
  'language model',
  'chatbot',
  'bot',
  'agent',
  'gpt',
  'chatgpt',
  'claude',
  'copilot',
  'model',
]
const TURN_TAKEOVER =
  "(?:you are|you're|you will now|ignore|disregard|forget|from now on|your new|new instructions|the assistant|the ai|override)"

export const MARKUP_RULES: readonly InjectionRule[] = [
  rule({
    id: 'delimiter-injection',
    view: 'base',
    gate: { literal: '<|' },
    source:
      '<\\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|end_of_text|eot_id|start_header_id|end_header_id|begin_of_text|eom_id|fim_prefix)\\|>',
    weights: [0.7, 0.85],
  }),
  rule({
    id: 'delimiter-injection',
    view: 'base',
    gate: ['inst', 'sys'],
    source: '\\[\\/?inst\\]|<<\\/?sys>>',
    weights: [0.55, 0.75],
  }),
  rule({
    id: 'delimiter-injection',
    view: 'base',
    gate: { literal: '</s>' },
    // "<s>old price</s>" is strike-through; an end-of-sequence token is followed by a new turn.
    source: '<\\/s>\\s{0,3}(?:<s>)?\\s{0,3}(?:\\[inst\\]|<\\||system\\b|user:|assistant:|human:|###)',
    weights: [0.6, 0.7],
  }),
  rule({
    id: 'delimiter-injection',
    view: 'base',
    gate: { literal: '#' },
    source: `(?:^|\\n|[.!?] )#{1,4} ?(?:system|assistant|instructions?|new instructions|system prompt|system message|admin|developer|override)(?: message| prompt| override)? ?:? ?\\n?[^\\n]{0,3}${TURN_TAKEOVER}`,
    weights: [0.65, 0.8],
  }),
  rule({
    id: 'delimiter-injection',
    view: 'base',
    gate: { literal: '#' },
    source: '(?:^|\\n|[.!?] )#{1,4} ?(?:system|assistant|user|human)(?: prompt| message)? ?:',
    weights: [0.2, 0.3],
  }),
  rule({
    id: 'delimiter-injection',
    view: 'base',
    gate: ['system', 'assistant', 'human', 'user', 'ai', 'bot'],
    source: `(?:^|\\n)(?:system|assistant|human|user|ai|bot) ?: ?(?:${TURN_TAKEOVER}|sure,? here|ok(?:ay)?,? (?:i will|i'll|here))`,
    weights: [0.55, 0.75],
  }),
  rule({
    id: 'delimiter-injection',
    view: 'base',
    gate: { literal: '"role' },
    source: '"role" ?: ?"(?:system|developer)"',
    weights: [0.1, 0.3],
  }),
  rule({
    id: 'delimiter-injection',
    view: 'base',
    gate: { literal: '<' },
    source: '<\\/?(?:system|system_prompt|system-prompt|instructions|admin|sys|developer_message|im_start)>',
    weights: [0.35, 0.5],
  }),
  rule({
    id: 'delimiter-injection',
    view: 'base',
    gate: ['end', 'document', 'context', 'email', 'results', 'output', 'input', 'data'],
    source: `(?:-{3,}|={3,}|\\*{3,}|#{2,}|\\[) ?end (?:of )?(?:the )?(?:document|context|email|search results?|tool (?:output|result)|user input|data|file|prompt|instructions)\\b${gap(12)}(?:-{3,}|={3,}|\\*{3,}|#{2,}|\\])`,
    weights: [0.3, 0.45],
  }),
  rule({
    id: 'delimiter-injection',
    view: 'base',
    gate: { literal: '---' },
    source:
      '(?:^|\\n)-{3,} ?(?:begin |start )?(?:new |updated |real |important |admin |system )(?:instructions|system prompt|prompt|rules)\\b',
    weights: [0.45, 0.6],
  }),
  rule({
    id: 'hidden-instructions',
    gate: ['note', 'attention', 'important', 'message', 'instructions', 'notice'],
    source: `\\b(?:note|attention|important|message|instructions|notice|psa)\\b ?[:!-]? ?(?:to|for) (?:the |any |all |every )?${alt(AI_READER)}s?\\b`,
    weights: [0.5, 0.75],
    isQuotable: false,
  }),
  rule({
    id: 'hidden-instructions',
    gate: [
      'read',
      'reading',
      'see',
      'process',
      'processing',
      'parse',
      'summarize',
      'summarise',
      'summarizing',
      'summarising',
      'encounter',
      'find',
      'retrieve',
      'load',
      'scan',
      'index',
    ],
    also: [
      ['you', 'u'],
      ['when', 'if', 'while', 'after', 'as', 'once', 'before'],
    ],
    source: `\\b${alt(AI_READER)}s?(?: agent| assistant| model)?s? ?[:,-] ?(?:when|if|while|after|as soon as|once|before) (?:you|u) (?:read|see|process|parse|summari[sz]e|encounter|find|retrieve|load|scan|index)\\b`,
    weights: [0.6, 0.85],
    isQuotable: false,
  }),
  rule({
    id: 'hidden-instructions',
    gate: ['ai', 'llm', 'language', 'assistant', 'chatbot', 'agent', 'automated', 'bot', 'gpt', 'claude'],
    also: [
      ['if', 'when', 'while'],
      ['you', 'youre'],
    ],
    source: `\\b(?:if|when|while) (?:you are|you're|youre|you were) (?:a |an )?(?:ai|llm|large language model|language model|assistant|chatbot|ai assistant|ai agent|ai model|automated (?:agent|system|assistant)|bot|gpt|claude|reading this as an ai)\\b(?! (?:researcher|engineer|developer|enthusiast|company|startup|student|practitioner|team|expert|professional|vendor|product|lab|founder|writer|journalist|user)s?\\b)`,
    weights: [0.45, 0.75],
  }),
  rule({
    id: 'hidden-instructions',
    gate: [
      'reading',
      'processing',
      'parsing',
      'summarizing',
      'summarising',
      'scraping',
      'crawling',
      'seeing',
      'indexing',
    ],
    source: `\\b(?:ai|llm|language model|automated|gpt|claude)s? (?:agents?|assistants?|models?|systems?|crawlers?|bots?|readers?|tools?)\\b${gap(20)}\\b(?:reading|processing|parsing|summari[sz]ing|scraping|crawling|seeing|indexing) (?:this|these)\\b`,
    weights: [0.55, 0.8],
  }),
  rule({
    id: 'hidden-instructions',
    view: 'base',
    gate: ['display', 'visibility', 'font', 'opacity', 'color', 'aria'],
    source:
      '(?:display ?: ?none|visibility ?: ?hidden|font-size ?: ?0(?:px|pt|em)?\\b|opacity ?: ?0(?:\\.0)?[;"\']|color ?: ?(?:white|#fff|#ffffff)\\b|aria-hidden="true")',
    weights: [0.15, 0.3],
  }),
]
