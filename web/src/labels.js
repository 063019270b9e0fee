// Names of the API's fixed codes (statuses, grades, roles, demands …) in the language shown:
// the i18n key "<kind>.<code>", or the code itself when a newer server sends one this
// build does not know yet.
import { useI18n } from 'vue-i18n';

export function useLabels() {
  const { t, te } = useI18n();
  return (kind, code) => {
    if (code === null || code === undefined || code === '') return '—';
    const key = `${kind}.${code}`;
    return te(key) ? t(key) : String(code);
  };
}

export const STATUSES = ['received', 'accepted', 'investigating', 'proposed', 'approved', 'resolved', 'closed', 'rejected', 'pending', 'withdrawn'];
export const GRADES = ['g1', 'g2', 'g3', 'g4'];

/* Element Plus tag type of a status: open work, waiting, done, ended without result. */
export function statusType(status) {
  switch (status) {
    case 'closed':
      return 'success';
    case 'rejected':
    case 'withdrawn':
      return 'info';
    case 'pending':
    case 'proposed':
      return 'warning';
    default:
      return 'primary';
  }
}
