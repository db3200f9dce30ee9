// Every string the app shows, in one catalogue per language. French is the
// default; another language is a copy of `fr` with the same keys.
import type { EventKind } from './gql/graphql';

const fr = {
  appName: 'Cortège',
  nav_nearby: 'Autour de moi',
  nav_new: 'Créer une action',
  nav_feed: 'Fil',
  nav_profile: 'Profil',
  nav_moderation: 'Modération',
  nav_stats: 'Statistiques',
  nav_login: 'Se connecter',
  nav_signup: "S'inscrire",
  nav_logout: 'Se déconnecter',
  offline: 'Connexion perdue : reconnexion en cours…',
  loading: 'Chargement…',
  save: 'Enregistrer',
  error_generic: "Quelque chose n'a pas marché. Réessayez.",
  unavailable: 'Service momentanément indisponible : réessayez dans un instant.',
  signup_title: 'Rejoindre le mouvement',
  first_name: 'Prénom',
  last_name: 'Nom',
  email: 'Adresse e-mail',
  photo: 'Photo (facultative)',
  pledge_text:
    "J'adhère au mouvement et je soutiens sa candidate ou son candidat : c'est ce que signifie être membre.",
  signup_submit: "S'inscrire",
  signup_sent: 'Un code de connexion vient de vous être envoyé par e-mail.',
  login_title: 'Connexion',
  login_send_code: 'Recevoir un code',
  login_code: 'Code reçu par e-mail',
  login_submit: 'Se connecter',
  pledge_accept: "J'accepte l'engagement",
  pledge_needed: "Pour agir, acceptez d'abord l'engagement du mouvement.",
  nearby_title: 'Autour de moi',
  filter_kind: "Type d'action",
  filter_all_kinds: 'Toutes',
  filter_from: 'À partir du',
  filter_search: 'Rechercher',
  radius_km: 'Rayon (km)',
  new_badge: 'nouveau',
  no_events: 'Aucune action à venir dans ce rayon.',
  km_away: '{km} km',
  event_by: 'Organisé par {name}',
  attendees_count_one: '{count} participant·e',
  attendees_count_other: '{count} participant·es',
  capacity: 'Places',
  full: 'Complet',
  rsvp: 'Je participe',
  rsvp_cancel: 'Je ne viens plus',
  rsvp_going: 'Vous participez.',
  rsvp_waitlisted: "Vous êtes sur liste d'attente.",
  attendees: 'Participant·es (en direct)',
  report: 'Signaler',
  report_reason: 'Motif',
  report_details: 'Précisions',
  report_send: 'Envoyer le signalement',
  report_sent: 'Merci, le signalement a été transmis.',
  cancelled: 'Annulée',
  new_title: 'Créer une action',
  title: 'Titre',
  description: 'Description',
  kind: "Type d'action",
  starts_at: 'Début',
  ends_at: 'Fin',
  street: 'Adresse',
  postcode: 'Code postal',
  city: 'Ville',
  pick_location: "Touchez la carte pour placer l'action.",
  create: "Créer l'action",
  feed_title: 'Mon fil',
  feed_empty: "Rien pour l'instant.",
  profile_title: 'Mon profil',
  home: 'Mon secteur (touchez la carte)',
  moderation_title: 'Signalements à traiter',
  moderation_empty: 'Aucun signalement ouvert.',
  reports_on_subject_one: '{count} signalement',
  reports_on_subject_other: '{count} signalements',
  decision_DISMISS: 'Classer',
  decision_REMOVE_CONTENT: 'Retirer',
  decision_WARN: 'Avertir',
  decision_BAN: 'Bannir',
  stats_title: "Activité du mouvement",
  stats_group_by: 'Regrouper par',
  stats_key: 'Clé',
  stats_label: 'Libellé',
  stats_events: 'Actions',
  stats_rsvps: 'Inscriptions',
  stats_participants: 'Participant·es',
  stats_csv: 'Télécharger en CSV',
  dimension_DEPARTMENT: 'Département',
  dimension_REGION: 'Région',
  dimension_COMMUNE: 'Commune',
  dimension_KIND: "Type d'action",
  dimension_WEEK: 'Semaine',
  dimension_DAY: 'Jour',
  nav_groups: 'Groupes',
  nav_friends: 'Ami·es',
  groups_title: 'Groupes locaux',
  group_join: 'Rejoindre',
  group_leave: 'Quitter',
  group_member: 'Vous êtes membre.',
  group_pending: 'Demande en attente.',
  group_events: 'Actions du groupe',
  members_count_one: '{count} membre',
  members_count_other: '{count} membres',
  friends_title: 'Mes ami·es',
  friend_requests: "Demandes d'ami·e reçues",
  friend_accept: 'Accepter',
  friend_refuse: 'Refuser',
  friends_list: 'Ami·es',
  friend_add: 'Ajouter {name} en ami·e',
  friend_sent: "Demande d'ami·e envoyée.",
  none: 'Aucun·e pour le moment.',
  friends_going: 'Vos ami·es qui participent : {names}',
  rsvp_status_GOING: 'inscrit·e',
  rsvp_status_WAITLISTED: "liste d'attente",
  rsvp_status_CANCELLED: 'désisté·e',
  map_unavailable: 'Carte indisponible : la liste reste utilisable.',
  nav_my_actions: 'Mes actions',
  nav_notifications: 'Notifications',
  my_actions_title: 'Mes actions',
  my_actions_empty: "Aucune action à venir : inscrivez-vous à une action autour de vous.",
  my_actions_offline: 'Hors ligne : liste enregistrée le {when}.',
  notifications_title: 'Notifications',
  notifications_kind: 'Quand',
  notifications_email: 'E-mail',
  notifications_push: 'Appareils',
  notifications_rules:
    "Les nouvelles actions près de chez vous arrivent dans le résumé ; les avertissements de la modération arrivent toujours par e-mail.",
  digest: 'Résumé des nouvelles actions près de chez vous',
  digest_NEVER: 'Jamais',
  digest_DAILY: 'Chaque jour',
  digest_WEEKLY: 'Chaque semaine',
  saved: 'Enregistré.',
  devices_title: 'Appareils',
  devices_none: 'Aucun appareil ne reçoit de notifications.',
  devices_this_one: 'cet appareil',
  devices_since: 'depuis le {when}',
  devices_last: 'dernière notification le {when}',
  devices_remove: 'Retirer',
  devices_add: 'Recevoir les notifications sur cet appareil',
  devices_refused: "Les notifications n'ont pas pu être activées sur cet appareil (autorisation refusée ?).",
  calendar_title: 'Mon agenda',
  calendar_help:
    "Ajoutez ce lien à votre application d'agenda : vos actions et celles de vos groupes y apparaîtront. Gardez-le pour vous.",
  copy: 'Copier',
  copied: 'Lien copié.',
  outcome_title: 'Bilan',
  outcome_leaflets: 'Tracts',
  outcome_doorsKnocked: 'Portes frappées',
  outcome_conversations: 'Conversations',
  outcome_posters: 'Affiches',
  outcome_signatures: 'Signatures',
  outcome_contacts: 'Contacts',
  outcome_notes: 'Remarques',
  outcome_report: 'Enregistrer le bilan',
  outcome_help: "Ce que l'action a donné : laissez vide ce qui n'a pas été compté. Le bilan est public et compte dans les statistiques.",
  outcome_by: 'Bilan de {name}, le {when}',
  group_members: 'Membres',
  group_edit: 'Modifier le groupe',
  group_name: 'Nom du groupe',
  group_policy: 'Adhésion',
  group_policy_OPEN: 'Ouverte à tous les membres',
  group_policy_APPROVAL: 'Sur validation des responsables',
  group_manager: 'responsable',
  group_promote: 'Nommer {name} responsable',
  group_demote: 'Retirer la responsabilité à {name}',
  duplicate: 'Refaire cette action',
  duplicate_at: 'Nouvelle date de début',
  duplicate_submit: 'Créer la copie',
  share: 'Partager',
  add_to_calendar: 'Ajouter à mon agenda',
  calendar_reset: "Changer de lien (l'ancien cessera de fonctionner)",
} as const;

export type Key = keyof typeof fr;
type Catalogue = Record<Key, string>;

const catalogues: Record<string, Catalogue> = { fr };

let current: Catalogue = fr;

export function setLanguage(lang: string): void {
  current = catalogues[lang] ?? fr;
}

/** The string for `key`, with `{name}` placeholders filled from `vars`. */
export function t(key: Key, vars: Record<string, string | number> = {}): string {
  return current[key].replace(/\{(\w+)\}/g, (_, name: string) =>
    name in vars ? String(vars[name]) : `{${name}}`,
  );
}

/** Keys that come as a pair, `_one` and `_other`, chosen by count. */
type Plural = {
  [K in Key]: K extends `${infer Base}_one` ? (`${Base}_other` extends Key ? Base : never) : never;
}[Key];

const plurals = new Intl.PluralRules('fr');

/** The string for `base` that agrees with `count` (French: 0 and 1 are
 *  singular), `{count}` filled in. */
export function tn(base: Plural, count: number, vars: Record<string, string | number> = {}): string {
  const key: Key = plurals.select(count) === 'one' ? `${base}_one` : `${base}_other`;
  return t(key, { count, ...vars });
}

/** Every event kind, labelled: the compiler checks none is missing. */
export const KIND_LABELS: Record<EventKind, string> = {
  LEAFLETING: 'Tractage',
  DOOR_TO_DOOR: 'Porte-à-porte',
  POSTERING: 'Collage',
  STREET_STALL: 'Stand',
  CARAVAN: 'Caravane',
  PHONE_BANK: 'Phoning',
  SIGNATURE_GATHERING: 'Signatures',
  GROUP_MEETING: 'Réunion de groupe',
  PUBLIC_MEETING: 'Réunion publique',
  RALLY: 'Meeting',
  TRAINING: 'Formation',
  CARPOOL: 'Covoiturage',
  ONLINE_MEETING: 'Réunion en ligne',
  OTHER: 'Autre',
};

export const ACTIVITY_LABELS: Record<string, string> = {
  EVENT_CREATED_NEARBY: 'Nouvelle action près de chez vous',
  EVENT_CREATED_IN_GROUP: 'Nouvelle action de votre groupe',
  EVENT_UPDATED: 'Action modifiée',
  EVENT_CANCELLED: 'Action annulée',
  NEW_ATTENDEE: 'Nouvelle personne inscrite',
  FRIEND_GOING: 'Un·e ami·e participe',
  FRIEND_REQUEST: "Demande d'ami·e",
  FRIEND_ACCEPTED: "Demande d'ami·e acceptée",
  NEW_GROUP_MEMBER: 'Nouveau membre dans votre groupe',
  MODERATION_WARNING: 'Avertissement de la modération',
  EVENT_REMINDER: 'Rappel : votre action approche',
  EVENT_HOST_ADDED: 'Vous co-organisez une action',
  EVENT_HOST_REMOVED: 'Vous ne co-organisez plus une action',
  GROUP_MEMBER_REMOVED: 'Vous avez été retiré·e d’un groupe',
};

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat('fr-FR', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Europe/Paris',
  }).format(new Date(iso));
}
