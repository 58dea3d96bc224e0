import type { CorpusRecord } from './protect-corpus.js'
import { createRng, pick } from './protect-corpus-values.js'

// What prompts mostly are: prose in several languages, code, logs, tables. Written for this bench.
const PARAGRAPHS = [
  'The quarterly report shows that customers in Europe prefer shorter onboarding flows. We reviewed the churn data for the last six months and found that most cancellations happen in the first two weeks, usually after a failed payment or a confusing setup step. Please summarise the attached thread and propose three options for the migration plan, with risks, costs and a rough timeline for each.',
  "Le client souhaite une réponse avant vendredi. Merci de vérifier les chiffres du tableau 4 et de préparer une synthèse d'une page pour le comité de direction, en précisant les hypothèses retenues et les points encore ouverts avec l'équipe juridique.",
  'Die Lieferung wurde am Montag verschickt und sollte in drei bis fünf Werktagen ankommen. Falls es Verzögerungen gibt, informieren wir Sie per E-Mail. Bitte prüfen Sie die beigefügte Rechnung und melden Sie sich bei Fragen jederzeit bei unserem Kundendienst.',
  'El informe anual incluye un resumen de los resultados financieros, los principales riesgos identificados y las medidas adoptadas para mitigarlos. Necesitamos una versión breve para la reunión del consejo de la próxima semana.',
  "La riunione è stata spostata a giovedì pomeriggio. Vi chiediamo di inviare i commenti sulla bozza entro mercoledì, in modo da poter preparare la versione finale del documento per l'approvazione.",
  'export async function handler(req: Request): Promise<Response> {\n  const body = await req.json()\n  const items = body.items.filter((item) => item.quantity > 0)\n  const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0)\n  return Response.json({ total, count: items.length })\n}\n',
  '2025-03-14T09:12:44.120Z INFO  request completed method=POST path=/v1/chat/completions status=200 duration_ms=812 model=gpt-4o-mini tokens_in=1532 tokens_out=211\n2025-03-14T09:12:45.003Z WARN  upstream slow provider=primary attempt=1 latency_ms=2310\n',
  '| region | q1 | q2 | q3 | q4 |\n|---|---|---|---|---|\n| north | 120 | 135 | 128 | 150 |\n| south | 98 | 101 | 110 | 117 |\n| west | 143 | 139 | 151 | 160 |\n',
  'You are a helpful assistant. Answer the question using only the context below. If the answer is not in the context, say that you do not know. Cite the section numbers you used, and keep the answer under two hundred words.',
]

/**
 * Mixed text of at least `chars` characters: mostly paragraphs, with one corpus record (personal data,
 * secrets or a look-alike) every `everyChars` characters on average.
 */
export const mixedText = (records: readonly CorpusRecord[], chars: number, everyChars = 1500): string => {
  const rng = createRng(7)
  const parts: string[] = []
  let length = 0
  let sinceRecord = 0
  while (length < chars) {
    const part = sinceRecord >= everyChars ? pick(rng, records).text : pick(rng, PARAGRAPHS)
    sinceRecord = sinceRecord >= everyChars ? 0 : sinceRecord + part.length
    parts.push(part)
    length += part.length + 2
  }
  // No slice: a sliced string reads through an indirection; prompts parsed from JSON are flat.
  return parts.join('\n\n')
}
