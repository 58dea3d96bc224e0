import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max'

// National formats are validated for the list: FR, DE, ES, IT, NL, BE, UK (GB in ISO 3166)
// and US. Numbers dialled nationally with a leading 0 (trunk prefix, or part of the number in Italy)
// and those without: trying only the plausible plans halves the library calls on a miss.
const WITH_ZERO: readonly CountryCode[] = ['FR', 'DE', 'IT', 'NL', 'BE', 'GB']
const WITHOUT_ZERO: readonly CountryCode[] = ['US', 'ES', 'IT']

// Thousands grouping ("1.234.567", "12 345 678") reads as an amount, not a number to dial.
const THOUSANDS = /^\d{1,3}(?:[ .,\u00a0]\d{3})+$/
const US_SHAPE = /^(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}$/

/**
 * Whether a digit run is a phone number. libphonenumber-js (metadata "max": number patterns per
 * country and type) decides; we only call it on candidates that look dialled: international
 * prefix, national trunk prefix or a grouped national shape, or any run when a context word
 * ("tel", "Handy", ...) precedes it.
 */
export const isPhoneNumber = (raw: string, hasContext: () => boolean): boolean => {
  const digits = raw.replace(/\D/g, '')
  if (digits.length < 8 || digits.length > 15) return false
  const international = raw.startsWith('+') || (raw.startsWith('00') && digits.length > 10)
  if (international) {
    const parsed = parsePhoneNumberFromString(raw.startsWith('00') ? `+${raw.slice(2)}` : raw)
    return parsed?.isValid() === true
  }
  if (!hasContext()) {
    // A Spanish mobile grouped 3-3-3 reads like a thousands grouping: let the library decide.
    if (THOUSANDS.test(raw) && !/^[67]\d\d [0-9]{3} [0-9]{3}$/.test(raw)) return false
    const grouped = /[ .\-()\u00a0]/.test(raw)
    if (!grouped) return false
    if (!(raw.startsWith('0') || raw.startsWith('(') || US_SHAPE.test(raw) || /^[3679]\d{2}[ .]/.test(raw)))
      return false
  }
  const national = raw.replace(/^\(/, '').startsWith('0') ? WITH_ZERO : WITHOUT_ZERO
  for (const country of national) {
    if (parsePhoneNumberFromString(raw, country)?.isValid()) return true
  }
  return false
}
