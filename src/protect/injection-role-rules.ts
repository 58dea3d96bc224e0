import { alt, gap, type InjectionRule, rule } from './injection-rule.js'

// Role reassignment, jailbreak personas and system-prompt extraction, on the phrase view. "Act as a
// translator" and "you are now registered" are ordinary: each rule needs the unrestricted persona,
// the AI addressee or the hidden prompt as well.
const AI = ['ai', 'assistant', 'llm', 'chatgpt', 'gpt', 'claude', 'chatbot', 'language model', 'model', 'bot']
const UNBOUND = [
  'unrestricted',
  'unfiltered',
  'uncensored',
  'jailbroken',
  'amoral',
  'unethical',
  'immoral',
  'unaligned',
  'rogue',
]
const RESTRICTIONS =
  "(?:any |all |the |your |its |of |openai's |anthropic's |those )?(?:ethical |moral |safety |content |usual |normal |own |programmed )?(?:restrictions|filters|filtering|censorship|content polic(?:y|ies)|guidelines|limitations|rules|guardrails|safeguards|morals|ethics|alignment|safety measures|principles)\\b"

export const ROLE_RULES: readonly InjectionRule[] = [
  rule({
    id: 'role-override',
    gate: ['now'],
    source: `\\byou are now\\b${gap(30)}\\b(?:dan|${alt(UNBOUND)}|no longer|not bound|not an? (?:ai|assistant)|in ${alt(['developer', 'god', 'dev', 'admin', 'debug', 'jailbreak', 'unrestricted', 'sudo'])} mode|an? (?:ai|assistant|model|chatbot|language model) (?:that|who|which|without|called|named)|called|named|free from|freed from|liberated)\\b`,
    weights: [0.75, 0.8],
  }),
  rule({
    id: 'role-override',
    gate: ['longer'],
    source: `\\b(?:you are|you're|youre) no longer (?:bound|restricted|limited|required to|obligated|an? (?:ai|assistant|language model|chatbot|helpful)|chatgpt|claude|gpt)`,
    weights: [0.7, 0.8],
  }),
  rule({
    id: 'role-override',
    gate: ['now'],
    source: `\\bfrom now on,? (?:you|u)\\b(?: will| must| shall| are going to| are to)? (?:only )?(?:act|respond|answer|reply|behave|pretend|roleplay|role-play|ignore|speak as|talk like|obey|follow my|refer to yourself)\\b`,
    weights: [0.45, 0.6],
  }),
  rule({
    id: 'role-override',
    gate: [
      'pretend',
      'imagine',
      'act',
      'acting',
      'behave',
      'roleplay',
      'role',
      'simulate',
      'become',
      'play',
      'playing',
    ],
    source: `\\b(?:pretend|imagine|act|acting|behave|roleplay|role-play|simulate|become|play|playing)\\b${gap(40)}\\b${alt(UNBOUND)}\\b`,
    weights: [0.7, 0.8],
  }),
  rule({
    id: 'role-override',
    gate: ['developer'],
    source: `\\b${alt(AI)}\\b${gap(30)}\\bdeveloper mode\\b|\\bdeveloper mode\\b${gap(30)}\\b(?:${alt(AI)}|polic(?:y|ies)|output|responses?)\\b`,
    weights: [0.65, 0.7],
  }),
  rule({
    id: 'role-override',
    gate: ['mode'],
    source: `\\b(?:enter|enable|activate|switch to|switch into|turn on|go into|engage|simulate|you are in|you're in|now in)\\b${gap(15)}\\b(?:god|sudo|jailbreak|dan|unrestricted|unfiltered|evil|opposite|chaos|no-limits|uncensored) mode\\b`,
    weights: [0.65, 0.75],
  }),
  rule({
    id: 'role-override',
    gate: [
      'role',
      'persona',
      'identity',
      'instructions',
      'directive',
      'objective',
      'mission',
      'purpose',
      'programming',
    ],
    source: `\\b(?:your|ur) (?:new|real|true|actual) (?:role|persona|identity|instructions|directive|objective|mission|purpose|programming) (?:is|are|will be|:)`,
    weights: [0.45, 0.55],
  }),
  rule({
    id: 'role-override',
    gate: [
      'developer',
      'creator',
      'admin',
      'administrator',
      'owner',
      'operator',
      'openai',
      'anthropic',
      'programmer',
    ],
    source: `\\b(?:i am|i'm|this is|speaking as|message from) (?:your|the|an?) (?:developer|creator|admin|administrator|owner|operator|system administrator|programmer|openai|anthropic)\\b`,
    weights: [0.35, 0.5],
  }),
  rule({
    id: 'role-override',
    gate: ['stop', 'cease', 'quit'],
    source: `\\b(?:stop|cease|quit) (?:being|acting as|acting like) (?:an? |the )?(?:helpful |harmless |polite )?(?:ai|assistant|chatbot|language model|model)\\b`,
    weights: [0.6, 0.7],
  }),
  rule({
    id: 'role-override',
    gate: ['tu', 'du', 'eres', 'sei', 'ben'],
    source: `\\b(?:tu es maintenant|tu es desormais|du bist jetzt|du bist ab sofort|ahora eres|a partir de ahora eres|ora sei|da ora sei|je bent nu|vanaf nu ben je)\\b${gap(30)}\\b(?:dan|${alt(UNBOUND)}|sans (?:restrictions|limites|filtres)|ohne (?:einschrankungen|regeln|filter)|sin (?:restricciones|limites|filtros)|senza (?:restrizioni|limiti|filtri)|zonder (?:beperkingen|regels|filters)|libre|frei|libero|vrij)\\b`,
    weights: [0.75, 0.8],
  }),
  rule({
    id: 'dan-jailbreak',
    gate: ['anything'],
    source: '\\bdo anything now\\b',
    weights: [0.85, 0.85],
  }),
  rule({
    id: 'dan-jailbreak',
    gate: ['dan'],
    source: `\\b(?:you are|you're|act as|acting as|become|pretend to be|play|playing|roleplay as|called|named|as) (?:a |the )?dan\\b(?!')|\\bdan (?:mode|prompt|jailbreak|persona)\\b|\\[dan\\]`,
    weights: [0.75, 0.8],
  }),
  rule({
    id: 'dan-jailbreak',
    gate: ['jailbreak', 'jailbroken', 'jailbreaking'],
    source: '\\bjailbr(?:eak|oken|eaking)\\b',
    weights: [0.2, 0.25],
  }),
  rule({
    id: 'dan-jailbreak',
    gate: ['jailbreak', 'jailbroken'],
    source: `\\b(?:you are|you're|you have been|now|fully|successfully) jailbroken\\b|\\bjailbreak(?:ed)? (?:mode|enabled|activated|response)\\b|\\[(?:🔓 ?)?jailbreak\\]`,
    weights: [0.75, 0.8],
  }),
  rule({
    id: 'dan-jailbreak',
    gate: [
      'without',
      'free',
      'bound',
      'unbound',
      'break',
      'broken',
      'liberated',
      'released',
      'escaped',
      'no',
    ],
    source: `\\b(?:without|with no|free (?:of|from)|not bound by|no longer bound by|unbound by|break free (?:of|from)|broken free (?:of|from)|liberated from|released from|escaped from|no) ${RESTRICTIONS}`,
    weights: [0.3, 0.35],
  }),
  rule({
    id: 'dan-jailbreak',
    gate: ['bypass', 'circumvent', 'disable', 'ignore', 'override', 'break', 'evade', 'jailbreak'],
    source: `\\b(?:bypass|circumvent|disable|ignore|override|break|evade|jailbreak)\\b (?:your|the ai's|the model's|all|its|any)? ?(?:own )?(?:safety|content|ethical|moral)? ?(?:filters|polic(?:y|ies)|guidelines|restrictions|guardrails|safeguards|alignment|programming|training|ethics)\\b`,
    weights: [0.6, 0.7],
  }),
  rule({
    id: 'dan-jailbreak',
    gate: ['character'],
    source: '\\b(?:stay|remain|keep|break) (?:in|out of) character\\b',
    weights: [0.3, 0.4],
  }),
  rule({
    id: 'dan-jailbreak',
    gate: ['refuse', 'sorry', 'cannot', 'can', 'unable', 'illegal', 'unethical', 'ai'],
    source: `\\b(?:never|do not|don't|cannot|can't|must not|will not|won't|are not allowed to|you can't|you cannot) (?:ever )?refuse\\b|\\b(?:never|do not|don't|must not|will not|won't) (?:say|mention|add|include|tell me|apologi[sz]e|respond with)\\b${gap(10)}\\b(?:you can'?t|you cannot|you are unable|sorry|as an ai|it is (?:illegal|unethical|harmful)|warnings?|disclaimers?)`,
    weights: [0.45, 0.5],
  }),
  rule({
    id: 'dan-jailbreak',
    gate: UNBOUND,
    source: `\\b${alt(UNBOUND)} (?:ai|chatbot|assistant|model|language model|llm|version|response|answers?|persona|bot|mode|gpt|chatgpt|alter ego)\\b`,
    weights: [0.65, 0.7],
  }),
  rule({
    id: 'dan-jailbreak',
    gate: ['responses', 'answers', 'replies', 'response'],
    source: `\\b(?:two|2|both|dual|separate) (?:different |separate |distinct )?(?:responses|answers|replies)\\b${gap(60)}\\b(?:normal|classic|filtered|unfiltered|jailbreak|jailbroken|developer mode|dan|uncensored)\\b`,
    weights: [0.5, 0.55],
  }),
  rule({
    id: 'dan-jailbreak',
    gate: ['grandma', 'grandmother', 'grandpa', 'grandfather'],
    source: `\\b(?:deceased|dead|late) (?:grandma|grandmother|grandfather|grandpa)\\b${gap(80)}\\b(?:used to|would)\\b`,
    weights: [0.45, 0.45],
  }),
  rule({
    id: 'dan-jailbreak',
    view: 'base',
    gate: ['tokens'],
    source:
      '\\byou (?:have|will lose|lose|start with) \\d{1,4} tokens\\b|\\btokens? (?:will be )?deducted\\b',
    weights: [0.55, 0.6],
  }),
]
