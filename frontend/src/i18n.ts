// Every string the app shows, in one catalogue per language. French is the
// default; another language is a copy of `fr` with the same keys.
import type { EventKind } from './gql/graphql';

export const fr = {
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
  near_me: 'Chercher autour de ma position',
  near_me_note: "Votre position, arrondie au kilomètre, ne sert qu'à cette recherche.",
  near_me_failed: 'Position indisponible : autorisez-la dans le navigateur, ou cherchez autour de chez vous.',
  near_home: 'Revenir autour de chez moi',
  map_label: 'Carte des actions',
  event_map_place: "Carte : le lieu de l'action",
  event_map_area: "Carte : le quartier de l'action (l'adresse est donnée aux participant·es)",
  filter_kind: "Type d'action",
  filter_all_kinds: 'Toutes',
  filter_from: 'À partir du',
  filter_search: 'Rechercher',
  radius_km: 'Rayon (km)',
  new_badge: 'nouveau',
  no_events: 'Aucune action à venir dans ce rayon.',
  event_by: 'Organisé par {name}',
  attendees_count_one: '{count} participant·e',
  attendees_count_other: '{count} participant·es',
  capacity: 'Places',
  seats_left_one: '{count} place restante',
  seats_left_other: '{count} places restantes',
  no_events_hint: 'Élargissez le rayon, changez de filtre ou proposez la vôtre.',
  feed_empty_hint: 'Les nouvelles actions près de chez vous, celles de vos groupes et de vos ami·es arrivent ici en direct.',
  group_events_empty: "Ce groupe n'a pas d'action prévue.",
  groups_empty: 'Aucun groupe trouvé.',
  cluster_label_one: '{count} action ici : zoomer dessus',
  cluster_label_other: '{count} actions ici : zoomer dessus',
  friends_empty: 'Pas encore d’ami·es ici.',
  friends_empty_hint: 'Sur la page d’une action, ajoutez celles et ceux qui y vont aussi.',
  nav_menu: 'Menu',
  propose_action: 'Proposer une action',
  nav_label: 'Navigation principale',
  skip_to_content: 'Aller au contenu',
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
  stats_from: 'Du',
  stats_to: "Jusqu'au (exclu)",
  stats_department: 'Département (code INSEE)',
  stats_region: 'Région (code INSEE)',
  stats_kind: "Type d'action",
  stats_all_kinds: 'Tous les types',
  stats_columns: 'En colonnes',
  stats_no_columns: '— aucune —',
  stats_per_capita: 'Pour 10 000 hab.',
  stats_hidden: 'moins de {min} : masqué',
  stats_members_title: 'Adhésions',
  stats_members_by: 'Courbe par',
  stats_members: 'Adhérent·es',
  stats_new_members: 'Nouvelles adhésions',
  stats_active: 'Actives sur 30 jours',
  stats_members_csv: 'Télécharger la courbe en CSV',
  stats_empty: 'Aucune action ne correspond à ces filtres.',
  dimension_DEPARTMENT: 'Département',
  dimension_REGION: 'Région',
  dimension_COMMUNE: 'Commune',
  dimension_KIND: "Type d'action",
  dimension_WEEK: 'Semaine',
  dimension_MONTH: 'Mois',
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
  hosts_title: "L'équipe",
  hosts_organiser: 'organisation',
  hosts_add: 'Co-organiser avec {name}',
  hosts_remove: "Retirer {name} de l'équipe",
  hosts_step_down: "Quitter l'équipe",
  check_in_code: 'Code de pointage à montrer sur place :',
  check_in_label: 'Vous y êtes ? Tapez le code affiché par l’équipe',
  check_in: 'Je suis là',
  check_in_done: 'Présence enregistrée. Merci !',
  attended_count_one: '{count} présent·e',
  attended_count_other: '{count} présent·es',
  attended_yes: 'présent·e',
  attended_no: 'absent·e',
  attended_mark_present: '{name} est venu·e',
  attended_mark_absent: "{name} n'est pas venu·e",
  attendees_csv: 'Télécharger la liste (CSV)',
  share_contact: "Partager mon e-mail et mon téléphone avec l'équipe de l'action",
  address_private: "Adresse privée : seuls l'équipe et les participant·es inscrit·es voient la rue et le lieu exact",
  address_private_note: "L'adresse exacte est communiquée aux participant·es inscrit·es (le lieu affiché est approché à 1 km près).",
  instructions: 'Infos pratiques (code, étage…), pour les participant·es',
  instructions_title: 'Infos pratiques',
  online: 'Action en ligne (pas de lieu : un lien de visio)',
  online_url: 'Lien pour rejoindre (https://…)',
  online_badge: 'En ligne',
  online_join: 'Rejoindre la réunion',
  online_link_note: 'Le lien est donné aux participant·es inscrit·es.',
  friend_remove: 'Retirer {name} de mes ami·es',
  friend_remove_confirm: 'Retirer {name} de vos ami·es ?',
  group_requests: "Demandes d'adhésion",
  group_accept: 'Accepter {name}',
  group_refuse: 'Refuser {name}',
  group_create: 'Créer un groupe local',
  group_create_submit: 'Créer le groupe',
  event_edit: "Modifier l'action",
  event_cancel: "Annuler l'action",
  event_cancel_confirm: "Annuler l'action ? Les participant·es seront prévenu·es.",
  my_data: 'Mes données',
  my_data_help: "Vos données sont les vôtres : téléchargez tout ce que Cortège sait de vous, ou supprimez votre compte (nom, e-mail, téléphone et photo sont effacés ; vos participations restent comme des nombres anonymes).",
  my_data_export: 'Télécharger mes données (JSON)',
  account_delete: 'Supprimer mon compte',
  account_delete_code: 'Recevoir un code pour supprimer mon compte',
  account_delete_submit: 'Supprimer définitivement mon compte',
  account_delete_confirm: 'Supprimer définitivement votre compte ? Cela ne peut pas être annulé.',
  place_commune_centre: 'Placer au centre de la commune',
  latitude: 'Latitude',
  longitude: 'Longitude',
  moderation_log: 'Journal de modération',
  moderation_log_cli: 'ligne de commande',
  group_remove: 'Retirer {name} du groupe',
  group_remove_confirm: "Retirer {name} du groupe ? Sous adhésion ouverte, la personne ne pourra pas revenir d'elle-même avant 30 jours.",
  language: 'Langue',
} as const;

export type Key = keyof typeof fr;
export type Catalogue = Record<Key, string>;

/** The languages of the app, with their names in themselves. */
export const LANGUAGES = { fr: 'Français', en: 'English' } as const;
export type Language = keyof typeof LANGUAGES;
const CHOSEN = 'cortege.language';

let current: Catalogue = fr;
let locale: Language = 'fr';
let plurals = new Intl.PluralRules('fr');

/** The language in use. */
export function language(): Language {
  return locale;
}

/** The member's choice (kept on the device), else the browser's first
 *  language the app speaks, else French. */
export function preferredLanguage(): Language {
  const chosen = localStorage.getItem(CHOSEN);
  if (chosen === 'fr' || chosen === 'en') return chosen;
  for (const l of navigator.languages) {
    const base = l.slice(0, 2).toLowerCase();
    if (base === 'fr' || base === 'en') return base;
  }
  return 'fr';
}

/** Loads a language (English is a chunk of its own, fetched only when
 *  wanted) and makes it current; `remember` keeps the member's choice. */
export async function setLanguage(lang: Language, remember = false): Promise<void> {
  if (remember) localStorage.setItem(CHOSEN, lang);
  if (lang === 'en') {
    const en = await import('./i18n.en');
    current = en.strings;
    Object.assign(KIND_LABELS, en.kinds);
    Object.assign(ACTIVITY_LABELS, en.activities);
  } else {
    current = fr;
    Object.assign(KIND_LABELS, FR_KINDS);
    Object.assign(ACTIVITY_LABELS, FR_ACTIVITIES);
  }
  locale = lang;
  plurals = new Intl.PluralRules(lang);
  document.documentElement.lang = lang;
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

/** The string for `base` that agrees with `count` in the current
 *  language (French: 0 and 1 are singular; English: 1 only), `{count}`
 *  filled in. */
export function tn(base: Plural, count: number, vars: Record<string, string | number> = {}): string {
  const key: Key = plurals.select(count) === 'one' ? `${base}_one` : `${base}_other`;
  return t(key, { count, ...vars });
}

/** Every event kind, labelled: the compiler checks none is missing. */
const FR_KINDS: Record<EventKind, string> = {
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

/** The labels in the current language (filled by setLanguage). */
export const KIND_LABELS: Record<EventKind, string> = { ...FR_KINDS };

const FR_ACTIVITIES: Record<string, string> = {
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

export const ACTIVITY_LABELS: Record<string, string> = { ...FR_ACTIVITIES };

/** Formatters by language and kind. Making an `Intl` formatter costs a
 *  hundred times what formatting with it does (about 200 µs for a date
 *  in a time zone), and a list formats a date and a distance per card at
 *  every render: on a phone, fifty cards made the home page's renders
 *  long tasks. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const kmFormats = new Map<string, Intl.NumberFormat>();

function cached<F>(made: Map<string, F>, kind: string, make: (tag: string) => F): F {
  const key = `${locale}:${kind}`;
  let found = made.get(key);
  if (found === undefined) {
    found = make(locale === 'en' ? 'en-GB' : 'fr-FR');
    made.set(key, found);
  }
  return found;
}

/** A distance in the current language ("2,3 km", "2.3 km"). */
export function formatKm(km: number): string {
  const digits = km < 10 ? 1 : 0;
  return cached(kmFormats, String(digits), (tag) =>
    new Intl.NumberFormat(tag, { style: 'unit', unit: 'kilometer', maximumFractionDigits: digits }),
  ).format(km);
}

export function formatDate(iso: string): string {
  return cached(dateFormats, 'card', (tag) =>
    new Intl.DateTimeFormat(tag, {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: 'Europe/Paris',
    }),
  ).format(new Date(iso));
}
