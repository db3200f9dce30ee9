/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Viewer {\n    viewer {\n      email\n      roles\n      hasAcceptedPledge\n      homeLocation { lat lon }\n      actionRadiusKm\n      person { id displayName firstName lastName photoUrl }\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  mutation Logout { logout }\n": typeof types.LogoutDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { loginCodeSent }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation RequestLoginCode($email: String!) { requestLoginCode(email: $email) }\n": typeof types.RequestLoginCodeDocument,
    "\n  mutation VerifyLoginCode($email: String!, $code: String!) {\n    verifyLoginCode(email: $email, code: $code) { viewer { email } }\n  }\n": typeof types.VerifyLoginCodeDocument,
    "\n  mutation DuplicateEvent($eventId: ID!, $startsAt: DateTime!) {\n    duplicateEvent(eventId: $eventId, startsAt: $startsAt) { id }\n  }\n": typeof types.DuplicateEventDocument,
    "\n  mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {\n    updateEvent(id: $id, input: $input) { id title description startsAt endsAt capacity instructions }\n  }\n": typeof types.UpdateEventDocument,
    "\n  mutation CancelEvent($id: ID!) { cancelEvent(id: $id) { id cancelled } }\n": typeof types.CancelEventDocument,
    "\n  mutation UpdateGroup($groupId: ID!, $input: UpdateGroupInput!) {\n    updateGroup(groupId: $groupId, input: $input) { id name description joinPolicy }\n  }\n": typeof types.UpdateGroupDocument,
    "\n  query EventPage($id: ID!) {\n    event(id: $id) {\n      id title description kind startsAt endsAt cancelled capacity attendeeCount isFull icsUrl\n      outcome { ...OutcomeFields }\n      address { street postcode city } location { lat lon } addressVisibility instructions online onlineUrl\n      organiser { id displayName isFriend }\n      hosts { id displayName }\n      viewerIsHost attendedCount checkInCode\n      viewerRsvp { status guests shareContact attended }\n      friendsGoing { id displayName }\n      attendees(first: 100) {\n        edges { node { id status guests attended contactEmail contactPhone person { id displayName } } }\n      }\n    }\n  }\n": typeof types.EventPageDocument,
    "\n  mutation Rsvp($eventId: ID!, $shareContact: Boolean) {\n    rsvp(eventId: $eventId, shareContact: $shareContact) {\n      id status shareContact event { id attendeeCount viewerRsvp { status guests shareContact attended } }\n    }\n  }\n": typeof types.RsvpDocument,
    "\n  mutation CancelRsvp($eventId: ID!) {\n    cancelRsvp(eventId: $eventId) { id status event { id attendeeCount viewerRsvp { status guests } } }\n  }\n": typeof types.CancelRsvpDocument,
    "\n  mutation Report($input: ReportInput!) { report(input: $input) { id } }\n": typeof types.ReportDocument,
    "\n  subscription RsvpChanged($eventId: ID!) {\n    rsvpChanged(eventId: $eventId) {\n      attendeeCount\n      rsvp { id status guests person { displayName } }\n    }\n  }\n": typeof types.RsvpChangedDocument,
    "\n  fragment FeedItem on Activity {\n    id cursor kind createdAt actor { displayName } event { id title } group { id name }\n  }\n": typeof types.FeedItemFragmentDoc,
    "\n  query FeedPage {\n    viewer {\n      feed(first: 30) {\n        edges { node { ...FeedItem } }\n      }\n    }\n  }\n": typeof types.FeedPageDocument,
    "\n  subscription FeedLive($after: String) {\n    feed(after: $after) { ...FeedItem }\n  }\n": typeof types.FeedLiveDocument,
    "\n  query Friends {\n    viewer {\n      person { id }\n      friends(first: 100) { edges { node { id displayName photoUrl } } }\n      friendRequests(first: 50) { edges { node { id status from { id displayName } to { id displayName } } } }\n    }\n  }\n": typeof types.FriendsDocument,
    "\n  mutation RespondToFriendRequest($id: ID!, $accept: Boolean!) {\n    respondToFriendRequest(friendshipId: $id, accept: $accept) { id status }\n  }\n": typeof types.RespondToFriendRequestDocument,
    "\n  mutation RemoveFriend($personId: ID!) { removeFriend(personId: $personId) }\n": typeof types.RemoveFriendDocument,
    "\n  mutation SendFriendRequest($personId: ID!) { sendFriendRequest(personId: $personId) { id status } }\n": typeof types.SendFriendRequestDocument,
    "\n  query GroupMembers($id: ID!) {\n    group(id: $id) {\n      id\n      members(first: 100) { edges { node { role person { id displayName } } } }\n      joinRequests(first: 50) { edges { node { person { id displayName } } } }\n    }\n  }\n": typeof types.GroupMembersDocument,
    "\n  mutation SetMemberRole($groupId: ID!, $personId: ID!, $role: GroupRole!) {\n    setMemberRole(groupId: $groupId, personId: $personId, role: $role) { role }\n  }\n": typeof types.SetMemberRoleDocument,
    "\n  mutation RespondToJoinRequest($groupId: ID!, $personId: ID!, $accept: Boolean!) {\n    respondToJoinRequest(groupId: $groupId, personId: $personId, accept: $accept) { status }\n  }\n": typeof types.RespondToJoinRequestDocument,
    "\n  mutation RemoveMember($groupId: ID!, $personId: ID!) {\n    removeMember(groupId: $groupId, personId: $personId)\n  }\n": typeof types.RemoveMemberDocument,
    "\n  query Groups($filter: GroupFilter) {\n    groups(filter: $filter, first: 50) {\n      edges { node { id name memberCount joinPolicy address { city } viewerMembership { status role } } }\n    }\n  }\n": typeof types.GroupsDocument,
    "\n  query GroupPage($id: ID!) {\n    group(id: $id) {\n      id name description memberCount joinPolicy\n      address { city }\n      viewerMembership { status role }\n      events(first: 50) { edges { node { id title kind startsAt cancelled attendeeCount capacity address { city } } } }\n    }\n  }\n": typeof types.GroupPageDocument,
    "\n  mutation JoinGroup($groupId: ID!) { joinGroup(groupId: $groupId) { status role } }\n": typeof types.JoinGroupDocument,
    "\n  mutation LeaveGroup($groupId: ID!) { leaveGroup(groupId: $groupId) }\n": typeof types.LeaveGroupDocument,
    "\n  mutation AddEventHost($eventId: ID!, $personId: ID!) {\n    addEventHost(eventId: $eventId, personId: $personId) { id hosts { id displayName } }\n  }\n": typeof types.AddEventHostDocument,
    "\n  mutation RemoveEventHost($eventId: ID!, $personId: ID!) {\n    removeEventHost(eventId: $eventId, personId: $personId) { id hosts { id displayName } }\n  }\n": typeof types.RemoveEventHostDocument,
    "\n  mutation MarkAttendance($rsvpId: ID!, $attended: Boolean!) {\n    markAttendance(rsvpId: $rsvpId, attended: $attended) { id attended event { id attendedCount } }\n  }\n": typeof types.MarkAttendanceDocument,
    "\n  query AttendeesCsvUrl($id: ID!) { event(id: $id) { id attendeesCsvUrl } }\n": typeof types.AttendeesCsvUrlDocument,
    "\n  mutation CheckIn($eventId: ID!, $code: String!) {\n    checkIn(eventId: $eventId, code: $code) { id attended }\n  }\n": typeof types.CheckInDocument,
    "\n  query Reports {\n    reports(status: OPEN, first: 50) {\n      edges {\n        node {\n          id reason details createdAt openReportsOnSubject\n          reporter { displayName }\n          subject {\n            __typename\n            ... on Event { id title }\n            ... on Group { id name }\n            ... on Person { id displayName }\n          }\n        }\n      }\n    }\n  }\n": typeof types.ReportsDocument,
    "\n  mutation ResolveReport($id: ID!, $decision: ModerationDecision!) {\n    resolveReport(id: $id, decision: $decision) { id status }\n  }\n": typeof types.ResolveReportDocument,
    "\n  subscription ReportCreated { reportCreated { id } }\n": typeof types.ReportCreatedDocument,
    "\n  query ModerationLog {\n    moderationLog(first: 30) {\n      edges { node { action actor { displayName } targetPerson { displayName } reason details createdAt } }\n    }\n  }\n": typeof types.ModerationLogDocument,
    "\n  query MyActions {\n    viewer {\n      rsvps(first: 100) {\n        nodes {\n          id\n          status\n          event {\n            id title kind startsAt endsAt cancelled\n            address { street postcode city }\n          }\n        }\n      }\n    }\n  }\n": typeof types.MyActionsDocument,
    "\n  mutation ExportMyData { exportMyData }\n": typeof types.ExportMyDataDocument,
    "\n  mutation RequestDeletionCode($email: String!) { requestLoginCode(email: $email) }\n": typeof types.RequestDeletionCodeDocument,
    "\n  mutation DeleteMyAccount($code: String!) { deleteMyAccount(code: $code) }\n": typeof types.DeleteMyAccountDocument,
    "\n  fragment NearbyEvent on Event {\n    id title kind startsAt distanceKm attendeeCount capacity\n    location { lat lon }\n    address { city }\n    organiser { displayName }\n  }\n": typeof types.NearbyEventFragmentDoc,
    "\n  query EventsNear($filter: EventFilter, $first: Int) {\n    events(filter: $filter, first: $first) {\n      edges { node { ...NearbyEvent } }\n    }\n  }\n": typeof types.EventsNearDocument,
    "\n  subscription EventsNearby($near: GeoPointInput!, $radiusKm: Float!) {\n    eventsNearby(near: $near, radiusKm: $radiusKm) { ...NearbyEvent }\n  }\n": typeof types.EventsNearbyDocument,
    "\n  mutation CreateEvent($input: CreateEventInput!) { createEvent(input: $input) { id } }\n": typeof types.CreateEventDocument,
    "\n  query Communes($postcode: String!) { communes(postcode: $postcode) { name centre { lat lon } } }\n": typeof types.CommunesDocument,
    "\n  mutation CreateGroup($input: CreateGroupInput!) { createGroup(input: $input) { id } }\n": typeof types.CreateGroupDocument,
    "\n  query NotificationSettings {\n    vapidPublicKey\n    viewer {\n      digest\n      calendarFeedUrl\n      notificationPreferences { kind email push }\n      pushSubscriptions { id endpoint createdAt lastSuccessAt }\n    }\n  }\n": typeof types.NotificationSettingsDocument,
    "\n  mutation SetNotificationPreferences($input: [NotificationPreferenceInput!]!, $digest: DigestFrequency) {\n    setNotificationPreferences(input: $input, digest: $digest) {\n      digest\n      notificationPreferences { kind email push }\n    }\n  }\n": typeof types.SetNotificationPreferencesDocument,
    "\n  mutation RegisterPushSubscription($input: PushSubscriptionInput!) {\n    registerPushSubscription(input: $input) { id endpoint createdAt lastSuccessAt }\n  }\n": typeof types.RegisterPushSubscriptionDocument,
    "\n  mutation RemovePushSubscription($id: ID!) { removePushSubscription(id: $id) }\n": typeof types.RemovePushSubscriptionDocument,
    "\n  mutation ResetCalendarFeedUrl { resetCalendarFeedUrl { calendarFeedUrl } }\n": typeof types.ResetCalendarFeedUrlDocument,
    "\n  fragment OutcomeFields on EventOutcome {\n    leaflets doorsKnocked conversations posters signatures contacts notes reportedAt\n    reportedBy { displayName }\n  }\n": typeof types.OutcomeFieldsFragmentDoc,
    "\n  mutation ReportOutcome($eventId: ID!, $input: EventOutcomeInput!) {\n    reportOutcome(eventId: $eventId, input: $input) { id outcome { ...OutcomeFields } }\n  }\n": typeof types.ReportOutcomeDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) { homeLocation { lat lon } actionRadiusKm }\n  }\n": typeof types.UpdateProfileDocument,
    "\n  mutation AcceptPledge { acceptPledge { hasAcceptedPledge } }\n": typeof types.AcceptPledgeDocument,
    "\n  query StatsActivity($groupBy: StatsDimension!, $filter: StatsFilter) {\n    stats {\n      activity(groupBy: $groupBy, filter: $filter) {\n        key label events rsvps participants participantsSuppressed perTenThousand doorsKnocked leaflets\n      }\n    }\n  }\n": typeof types.StatsActivityDocument,
    "\n  query StatsBreakdown($groupBy: [StatsDimension!]!, $filter: StatsFilter) {\n    stats {\n      breakdown(groupBy: $groupBy, filter: $filter, first: 5000) { keys labels events }\n    }\n  }\n": typeof types.StatsBreakdownDocument,
    "\n  query StatsMembers($groupBy: StatsDimension, $filter: MembersFilter) {\n    stats {\n      members(groupBy: $groupBy, filter: $filter) { key label members newMembers active30d }\n    }\n  }\n": typeof types.StatsMembersDocument,
};
const documents: Documents = {
    "\n  query Viewer {\n    viewer {\n      email\n      roles\n      hasAcceptedPledge\n      homeLocation { lat lon }\n      actionRadiusKm\n      person { id displayName firstName lastName photoUrl }\n    }\n  }\n": types.ViewerDocument,
    "\n  mutation Logout { logout }\n": types.LogoutDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { loginCodeSent }\n  }\n": types.SignUpDocument,
    "\n  mutation RequestLoginCode($email: String!) { requestLoginCode(email: $email) }\n": types.RequestLoginCodeDocument,
    "\n  mutation VerifyLoginCode($email: String!, $code: String!) {\n    verifyLoginCode(email: $email, code: $code) { viewer { email } }\n  }\n": types.VerifyLoginCodeDocument,
    "\n  mutation DuplicateEvent($eventId: ID!, $startsAt: DateTime!) {\n    duplicateEvent(eventId: $eventId, startsAt: $startsAt) { id }\n  }\n": types.DuplicateEventDocument,
    "\n  mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {\n    updateEvent(id: $id, input: $input) { id title description startsAt endsAt capacity instructions }\n  }\n": types.UpdateEventDocument,
    "\n  mutation CancelEvent($id: ID!) { cancelEvent(id: $id) { id cancelled } }\n": types.CancelEventDocument,
    "\n  mutation UpdateGroup($groupId: ID!, $input: UpdateGroupInput!) {\n    updateGroup(groupId: $groupId, input: $input) { id name description joinPolicy }\n  }\n": types.UpdateGroupDocument,
    "\n  query EventPage($id: ID!) {\n    event(id: $id) {\n      id title description kind startsAt endsAt cancelled capacity attendeeCount isFull icsUrl\n      outcome { ...OutcomeFields }\n      address { street postcode city } location { lat lon } addressVisibility instructions online onlineUrl\n      organiser { id displayName isFriend }\n      hosts { id displayName }\n      viewerIsHost attendedCount checkInCode\n      viewerRsvp { status guests shareContact attended }\n      friendsGoing { id displayName }\n      attendees(first: 100) {\n        edges { node { id status guests attended contactEmail contactPhone person { id displayName } } }\n      }\n    }\n  }\n": types.EventPageDocument,
    "\n  mutation Rsvp($eventId: ID!, $shareContact: Boolean) {\n    rsvp(eventId: $eventId, shareContact: $shareContact) {\n      id status shareContact event { id attendeeCount viewerRsvp { status guests shareContact attended } }\n    }\n  }\n": types.RsvpDocument,
    "\n  mutation CancelRsvp($eventId: ID!) {\n    cancelRsvp(eventId: $eventId) { id status event { id attendeeCount viewerRsvp { status guests } } }\n  }\n": types.CancelRsvpDocument,
    "\n  mutation Report($input: ReportInput!) { report(input: $input) { id } }\n": types.ReportDocument,
    "\n  subscription RsvpChanged($eventId: ID!) {\n    rsvpChanged(eventId: $eventId) {\n      attendeeCount\n      rsvp { id status guests person { displayName } }\n    }\n  }\n": types.RsvpChangedDocument,
    "\n  fragment FeedItem on Activity {\n    id cursor kind createdAt actor { displayName } event { id title } group { id name }\n  }\n": types.FeedItemFragmentDoc,
    "\n  query FeedPage {\n    viewer {\n      feed(first: 30) {\n        edges { node { ...FeedItem } }\n      }\n    }\n  }\n": types.FeedPageDocument,
    "\n  subscription FeedLive($after: String) {\n    feed(after: $after) { ...FeedItem }\n  }\n": types.FeedLiveDocument,
    "\n  query Friends {\n    viewer {\n      person { id }\n      friends(first: 100) { edges { node { id displayName photoUrl } } }\n      friendRequests(first: 50) { edges { node { id status from { id displayName } to { id displayName } } } }\n    }\n  }\n": types.FriendsDocument,
    "\n  mutation RespondToFriendRequest($id: ID!, $accept: Boolean!) {\n    respondToFriendRequest(friendshipId: $id, accept: $accept) { id status }\n  }\n": types.RespondToFriendRequestDocument,
    "\n  mutation RemoveFriend($personId: ID!) { removeFriend(personId: $personId) }\n": types.RemoveFriendDocument,
    "\n  mutation SendFriendRequest($personId: ID!) { sendFriendRequest(personId: $personId) { id status } }\n": types.SendFriendRequestDocument,
    "\n  query GroupMembers($id: ID!) {\n    group(id: $id) {\n      id\n      members(first: 100) { edges { node { role person { id displayName } } } }\n      joinRequests(first: 50) { edges { node { person { id displayName } } } }\n    }\n  }\n": types.GroupMembersDocument,
    "\n  mutation SetMemberRole($groupId: ID!, $personId: ID!, $role: GroupRole!) {\n    setMemberRole(groupId: $groupId, personId: $personId, role: $role) { role }\n  }\n": types.SetMemberRoleDocument,
    "\n  mutation RespondToJoinRequest($groupId: ID!, $personId: ID!, $accept: Boolean!) {\n    respondToJoinRequest(groupId: $groupId, personId: $personId, accept: $accept) { status }\n  }\n": types.RespondToJoinRequestDocument,
    "\n  mutation RemoveMember($groupId: ID!, $personId: ID!) {\n    removeMember(groupId: $groupId, personId: $personId)\n  }\n": types.RemoveMemberDocument,
    "\n  query Groups($filter: GroupFilter) {\n    groups(filter: $filter, first: 50) {\n      edges { node { id name memberCount joinPolicy address { city } viewerMembership { status role } } }\n    }\n  }\n": types.GroupsDocument,
    "\n  query GroupPage($id: ID!) {\n    group(id: $id) {\n      id name description memberCount joinPolicy\n      address { city }\n      viewerMembership { status role }\n      events(first: 50) { edges { node { id title kind startsAt cancelled attendeeCount capacity address { city } } } }\n    }\n  }\n": types.GroupPageDocument,
    "\n  mutation JoinGroup($groupId: ID!) { joinGroup(groupId: $groupId) { status role } }\n": types.JoinGroupDocument,
    "\n  mutation LeaveGroup($groupId: ID!) { leaveGroup(groupId: $groupId) }\n": types.LeaveGroupDocument,
    "\n  mutation AddEventHost($eventId: ID!, $personId: ID!) {\n    addEventHost(eventId: $eventId, personId: $personId) { id hosts { id displayName } }\n  }\n": types.AddEventHostDocument,
    "\n  mutation RemoveEventHost($eventId: ID!, $personId: ID!) {\n    removeEventHost(eventId: $eventId, personId: $personId) { id hosts { id displayName } }\n  }\n": types.RemoveEventHostDocument,
    "\n  mutation MarkAttendance($rsvpId: ID!, $attended: Boolean!) {\n    markAttendance(rsvpId: $rsvpId, attended: $attended) { id attended event { id attendedCount } }\n  }\n": types.MarkAttendanceDocument,
    "\n  query AttendeesCsvUrl($id: ID!) { event(id: $id) { id attendeesCsvUrl } }\n": types.AttendeesCsvUrlDocument,
    "\n  mutation CheckIn($eventId: ID!, $code: String!) {\n    checkIn(eventId: $eventId, code: $code) { id attended }\n  }\n": types.CheckInDocument,
    "\n  query Reports {\n    reports(status: OPEN, first: 50) {\n      edges {\n        node {\n          id reason details createdAt openReportsOnSubject\n          reporter { displayName }\n          subject {\n            __typename\n            ... on Event { id title }\n            ... on Group { id name }\n            ... on Person { id displayName }\n          }\n        }\n      }\n    }\n  }\n": types.ReportsDocument,
    "\n  mutation ResolveReport($id: ID!, $decision: ModerationDecision!) {\n    resolveReport(id: $id, decision: $decision) { id status }\n  }\n": types.ResolveReportDocument,
    "\n  subscription ReportCreated { reportCreated { id } }\n": types.ReportCreatedDocument,
    "\n  query ModerationLog {\n    moderationLog(first: 30) {\n      edges { node { action actor { displayName } targetPerson { displayName } reason details createdAt } }\n    }\n  }\n": types.ModerationLogDocument,
    "\n  query MyActions {\n    viewer {\n      rsvps(first: 100) {\n        nodes {\n          id\n          status\n          event {\n            id title kind startsAt endsAt cancelled\n            address { street postcode city }\n          }\n        }\n      }\n    }\n  }\n": types.MyActionsDocument,
    "\n  mutation ExportMyData { exportMyData }\n": types.ExportMyDataDocument,
    "\n  mutation RequestDeletionCode($email: String!) { requestLoginCode(email: $email) }\n": types.RequestDeletionCodeDocument,
    "\n  mutation DeleteMyAccount($code: String!) { deleteMyAccount(code: $code) }\n": types.DeleteMyAccountDocument,
    "\n  fragment NearbyEvent on Event {\n    id title kind startsAt distanceKm attendeeCount capacity\n    location { lat lon }\n    address { city }\n    organiser { displayName }\n  }\n": types.NearbyEventFragmentDoc,
    "\n  query EventsNear($filter: EventFilter, $first: Int) {\n    events(filter: $filter, first: $first) {\n      edges { node { ...NearbyEvent } }\n    }\n  }\n": types.EventsNearDocument,
    "\n  subscription EventsNearby($near: GeoPointInput!, $radiusKm: Float!) {\n    eventsNearby(near: $near, radiusKm: $radiusKm) { ...NearbyEvent }\n  }\n": types.EventsNearbyDocument,
    "\n  mutation CreateEvent($input: CreateEventInput!) { createEvent(input: $input) { id } }\n": types.CreateEventDocument,
    "\n  query Communes($postcode: String!) { communes(postcode: $postcode) { name centre { lat lon } } }\n": types.CommunesDocument,
    "\n  mutation CreateGroup($input: CreateGroupInput!) { createGroup(input: $input) { id } }\n": types.CreateGroupDocument,
    "\n  query NotificationSettings {\n    vapidPublicKey\n    viewer {\n      digest\n      calendarFeedUrl\n      notificationPreferences { kind email push }\n      pushSubscriptions { id endpoint createdAt lastSuccessAt }\n    }\n  }\n": types.NotificationSettingsDocument,
    "\n  mutation SetNotificationPreferences($input: [NotificationPreferenceInput!]!, $digest: DigestFrequency) {\n    setNotificationPreferences(input: $input, digest: $digest) {\n      digest\n      notificationPreferences { kind email push }\n    }\n  }\n": types.SetNotificationPreferencesDocument,
    "\n  mutation RegisterPushSubscription($input: PushSubscriptionInput!) {\n    registerPushSubscription(input: $input) { id endpoint createdAt lastSuccessAt }\n  }\n": types.RegisterPushSubscriptionDocument,
    "\n  mutation RemovePushSubscription($id: ID!) { removePushSubscription(id: $id) }\n": types.RemovePushSubscriptionDocument,
    "\n  mutation ResetCalendarFeedUrl { resetCalendarFeedUrl { calendarFeedUrl } }\n": types.ResetCalendarFeedUrlDocument,
    "\n  fragment OutcomeFields on EventOutcome {\n    leaflets doorsKnocked conversations posters signatures contacts notes reportedAt\n    reportedBy { displayName }\n  }\n": types.OutcomeFieldsFragmentDoc,
    "\n  mutation ReportOutcome($eventId: ID!, $input: EventOutcomeInput!) {\n    reportOutcome(eventId: $eventId, input: $input) { id outcome { ...OutcomeFields } }\n  }\n": types.ReportOutcomeDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) { homeLocation { lat lon } actionRadiusKm }\n  }\n": types.UpdateProfileDocument,
    "\n  mutation AcceptPledge { acceptPledge { hasAcceptedPledge } }\n": types.AcceptPledgeDocument,
    "\n  query StatsActivity($groupBy: StatsDimension!, $filter: StatsFilter) {\n    stats {\n      activity(groupBy: $groupBy, filter: $filter) {\n        key label events rsvps participants participantsSuppressed perTenThousand doorsKnocked leaflets\n      }\n    }\n  }\n": types.StatsActivityDocument,
    "\n  query StatsBreakdown($groupBy: [StatsDimension!]!, $filter: StatsFilter) {\n    stats {\n      breakdown(groupBy: $groupBy, filter: $filter, first: 5000) { keys labels events }\n    }\n  }\n": types.StatsBreakdownDocument,
    "\n  query StatsMembers($groupBy: StatsDimension, $filter: MembersFilter) {\n    stats {\n      members(groupBy: $groupBy, filter: $filter) { key label members newMembers active30d }\n    }\n  }\n": types.StatsMembersDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      email\n      roles\n      hasAcceptedPledge\n      homeLocation { lat lon }\n      actionRadiusKm\n      person { id displayName firstName lastName photoUrl }\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      email\n      roles\n      hasAcceptedPledge\n      homeLocation { lat lon }\n      actionRadiusKm\n      person { id displayName firstName lastName photoUrl }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout { logout }\n"): (typeof documents)["\n  mutation Logout { logout }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { loginCodeSent }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { loginCodeSent }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestLoginCode($email: String!) { requestLoginCode(email: $email) }\n"): (typeof documents)["\n  mutation RequestLoginCode($email: String!) { requestLoginCode(email: $email) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyLoginCode($email: String!, $code: String!) {\n    verifyLoginCode(email: $email, code: $code) { viewer { email } }\n  }\n"): (typeof documents)["\n  mutation VerifyLoginCode($email: String!, $code: String!) {\n    verifyLoginCode(email: $email, code: $code) { viewer { email } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DuplicateEvent($eventId: ID!, $startsAt: DateTime!) {\n    duplicateEvent(eventId: $eventId, startsAt: $startsAt) { id }\n  }\n"): (typeof documents)["\n  mutation DuplicateEvent($eventId: ID!, $startsAt: DateTime!) {\n    duplicateEvent(eventId: $eventId, startsAt: $startsAt) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {\n    updateEvent(id: $id, input: $input) { id title description startsAt endsAt capacity instructions }\n  }\n"): (typeof documents)["\n  mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {\n    updateEvent(id: $id, input: $input) { id title description startsAt endsAt capacity instructions }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelEvent($id: ID!) { cancelEvent(id: $id) { id cancelled } }\n"): (typeof documents)["\n  mutation CancelEvent($id: ID!) { cancelEvent(id: $id) { id cancelled } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateGroup($groupId: ID!, $input: UpdateGroupInput!) {\n    updateGroup(groupId: $groupId, input: $input) { id name description joinPolicy }\n  }\n"): (typeof documents)["\n  mutation UpdateGroup($groupId: ID!, $input: UpdateGroupInput!) {\n    updateGroup(groupId: $groupId, input: $input) { id name description joinPolicy }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EventPage($id: ID!) {\n    event(id: $id) {\n      id title description kind startsAt endsAt cancelled capacity attendeeCount isFull icsUrl\n      outcome { ...OutcomeFields }\n      address { street postcode city } location { lat lon } addressVisibility instructions online onlineUrl\n      organiser { id displayName isFriend }\n      hosts { id displayName }\n      viewerIsHost attendedCount checkInCode\n      viewerRsvp { status guests shareContact attended }\n      friendsGoing { id displayName }\n      attendees(first: 100) {\n        edges { node { id status guests attended contactEmail contactPhone person { id displayName } } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query EventPage($id: ID!) {\n    event(id: $id) {\n      id title description kind startsAt endsAt cancelled capacity attendeeCount isFull icsUrl\n      outcome { ...OutcomeFields }\n      address { street postcode city } location { lat lon } addressVisibility instructions online onlineUrl\n      organiser { id displayName isFriend }\n      hosts { id displayName }\n      viewerIsHost attendedCount checkInCode\n      viewerRsvp { status guests shareContact attended }\n      friendsGoing { id displayName }\n      attendees(first: 100) {\n        edges { node { id status guests attended contactEmail contactPhone person { id displayName } } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Rsvp($eventId: ID!, $shareContact: Boolean) {\n    rsvp(eventId: $eventId, shareContact: $shareContact) {\n      id status shareContact event { id attendeeCount viewerRsvp { status guests shareContact attended } }\n    }\n  }\n"): (typeof documents)["\n  mutation Rsvp($eventId: ID!, $shareContact: Boolean) {\n    rsvp(eventId: $eventId, shareContact: $shareContact) {\n      id status shareContact event { id attendeeCount viewerRsvp { status guests shareContact attended } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelRsvp($eventId: ID!) {\n    cancelRsvp(eventId: $eventId) { id status event { id attendeeCount viewerRsvp { status guests } } }\n  }\n"): (typeof documents)["\n  mutation CancelRsvp($eventId: ID!) {\n    cancelRsvp(eventId: $eventId) { id status event { id attendeeCount viewerRsvp { status guests } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Report($input: ReportInput!) { report(input: $input) { id } }\n"): (typeof documents)["\n  mutation Report($input: ReportInput!) { report(input: $input) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RsvpChanged($eventId: ID!) {\n    rsvpChanged(eventId: $eventId) {\n      attendeeCount\n      rsvp { id status guests person { displayName } }\n    }\n  }\n"): (typeof documents)["\n  subscription RsvpChanged($eventId: ID!) {\n    rsvpChanged(eventId: $eventId) {\n      attendeeCount\n      rsvp { id status guests person { displayName } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment FeedItem on Activity {\n    id cursor kind createdAt actor { displayName } event { id title } group { id name }\n  }\n"): (typeof documents)["\n  fragment FeedItem on Activity {\n    id cursor kind createdAt actor { displayName } event { id title } group { id name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FeedPage {\n    viewer {\n      feed(first: 30) {\n        edges { node { ...FeedItem } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query FeedPage {\n    viewer {\n      feed(first: 30) {\n        edges { node { ...FeedItem } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription FeedLive($after: String) {\n    feed(after: $after) { ...FeedItem }\n  }\n"): (typeof documents)["\n  subscription FeedLive($after: String) {\n    feed(after: $after) { ...FeedItem }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Friends {\n    viewer {\n      person { id }\n      friends(first: 100) { edges { node { id displayName photoUrl } } }\n      friendRequests(first: 50) { edges { node { id status from { id displayName } to { id displayName } } } }\n    }\n  }\n"): (typeof documents)["\n  query Friends {\n    viewer {\n      person { id }\n      friends(first: 100) { edges { node { id displayName photoUrl } } }\n      friendRequests(first: 50) { edges { node { id status from { id displayName } to { id displayName } } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RespondToFriendRequest($id: ID!, $accept: Boolean!) {\n    respondToFriendRequest(friendshipId: $id, accept: $accept) { id status }\n  }\n"): (typeof documents)["\n  mutation RespondToFriendRequest($id: ID!, $accept: Boolean!) {\n    respondToFriendRequest(friendshipId: $id, accept: $accept) { id status }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveFriend($personId: ID!) { removeFriend(personId: $personId) }\n"): (typeof documents)["\n  mutation RemoveFriend($personId: ID!) { removeFriend(personId: $personId) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendFriendRequest($personId: ID!) { sendFriendRequest(personId: $personId) { id status } }\n"): (typeof documents)["\n  mutation SendFriendRequest($personId: ID!) { sendFriendRequest(personId: $personId) { id status } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GroupMembers($id: ID!) {\n    group(id: $id) {\n      id\n      members(first: 100) { edges { node { role person { id displayName } } } }\n      joinRequests(first: 50) { edges { node { person { id displayName } } } }\n    }\n  }\n"): (typeof documents)["\n  query GroupMembers($id: ID!) {\n    group(id: $id) {\n      id\n      members(first: 100) { edges { node { role person { id displayName } } } }\n      joinRequests(first: 50) { edges { node { person { id displayName } } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetMemberRole($groupId: ID!, $personId: ID!, $role: GroupRole!) {\n    setMemberRole(groupId: $groupId, personId: $personId, role: $role) { role }\n  }\n"): (typeof documents)["\n  mutation SetMemberRole($groupId: ID!, $personId: ID!, $role: GroupRole!) {\n    setMemberRole(groupId: $groupId, personId: $personId, role: $role) { role }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RespondToJoinRequest($groupId: ID!, $personId: ID!, $accept: Boolean!) {\n    respondToJoinRequest(groupId: $groupId, personId: $personId, accept: $accept) { status }\n  }\n"): (typeof documents)["\n  mutation RespondToJoinRequest($groupId: ID!, $personId: ID!, $accept: Boolean!) {\n    respondToJoinRequest(groupId: $groupId, personId: $personId, accept: $accept) { status }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveMember($groupId: ID!, $personId: ID!) {\n    removeMember(groupId: $groupId, personId: $personId)\n  }\n"): (typeof documents)["\n  mutation RemoveMember($groupId: ID!, $personId: ID!) {\n    removeMember(groupId: $groupId, personId: $personId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Groups($filter: GroupFilter) {\n    groups(filter: $filter, first: 50) {\n      edges { node { id name memberCount joinPolicy address { city } viewerMembership { status role } } }\n    }\n  }\n"): (typeof documents)["\n  query Groups($filter: GroupFilter) {\n    groups(filter: $filter, first: 50) {\n      edges { node { id name memberCount joinPolicy address { city } viewerMembership { status role } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GroupPage($id: ID!) {\n    group(id: $id) {\n      id name description memberCount joinPolicy\n      address { city }\n      viewerMembership { status role }\n      events(first: 50) { edges { node { id title kind startsAt cancelled attendeeCount capacity address { city } } } }\n    }\n  }\n"): (typeof documents)["\n  query GroupPage($id: ID!) {\n    group(id: $id) {\n      id name description memberCount joinPolicy\n      address { city }\n      viewerMembership { status role }\n      events(first: 50) { edges { node { id title kind startsAt cancelled attendeeCount capacity address { city } } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation JoinGroup($groupId: ID!) { joinGroup(groupId: $groupId) { status role } }\n"): (typeof documents)["\n  mutation JoinGroup($groupId: ID!) { joinGroup(groupId: $groupId) { status role } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LeaveGroup($groupId: ID!) { leaveGroup(groupId: $groupId) }\n"): (typeof documents)["\n  mutation LeaveGroup($groupId: ID!) { leaveGroup(groupId: $groupId) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddEventHost($eventId: ID!, $personId: ID!) {\n    addEventHost(eventId: $eventId, personId: $personId) { id hosts { id displayName } }\n  }\n"): (typeof documents)["\n  mutation AddEventHost($eventId: ID!, $personId: ID!) {\n    addEventHost(eventId: $eventId, personId: $personId) { id hosts { id displayName } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveEventHost($eventId: ID!, $personId: ID!) {\n    removeEventHost(eventId: $eventId, personId: $personId) { id hosts { id displayName } }\n  }\n"): (typeof documents)["\n  mutation RemoveEventHost($eventId: ID!, $personId: ID!) {\n    removeEventHost(eventId: $eventId, personId: $personId) { id hosts { id displayName } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkAttendance($rsvpId: ID!, $attended: Boolean!) {\n    markAttendance(rsvpId: $rsvpId, attended: $attended) { id attended event { id attendedCount } }\n  }\n"): (typeof documents)["\n  mutation MarkAttendance($rsvpId: ID!, $attended: Boolean!) {\n    markAttendance(rsvpId: $rsvpId, attended: $attended) { id attended event { id attendedCount } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AttendeesCsvUrl($id: ID!) { event(id: $id) { id attendeesCsvUrl } }\n"): (typeof documents)["\n  query AttendeesCsvUrl($id: ID!) { event(id: $id) { id attendeesCsvUrl } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CheckIn($eventId: ID!, $code: String!) {\n    checkIn(eventId: $eventId, code: $code) { id attended }\n  }\n"): (typeof documents)["\n  mutation CheckIn($eventId: ID!, $code: String!) {\n    checkIn(eventId: $eventId, code: $code) { id attended }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Reports {\n    reports(status: OPEN, first: 50) {\n      edges {\n        node {\n          id reason details createdAt openReportsOnSubject\n          reporter { displayName }\n          subject {\n            __typename\n            ... on Event { id title }\n            ... on Group { id name }\n            ... on Person { id displayName }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Reports {\n    reports(status: OPEN, first: 50) {\n      edges {\n        node {\n          id reason details createdAt openReportsOnSubject\n          reporter { displayName }\n          subject {\n            __typename\n            ... on Event { id title }\n            ... on Group { id name }\n            ... on Person { id displayName }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResolveReport($id: ID!, $decision: ModerationDecision!) {\n    resolveReport(id: $id, decision: $decision) { id status }\n  }\n"): (typeof documents)["\n  mutation ResolveReport($id: ID!, $decision: ModerationDecision!) {\n    resolveReport(id: $id, decision: $decision) { id status }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ReportCreated { reportCreated { id } }\n"): (typeof documents)["\n  subscription ReportCreated { reportCreated { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ModerationLog {\n    moderationLog(first: 30) {\n      edges { node { action actor { displayName } targetPerson { displayName } reason details createdAt } }\n    }\n  }\n"): (typeof documents)["\n  query ModerationLog {\n    moderationLog(first: 30) {\n      edges { node { action actor { displayName } targetPerson { displayName } reason details createdAt } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyActions {\n    viewer {\n      rsvps(first: 100) {\n        nodes {\n          id\n          status\n          event {\n            id title kind startsAt endsAt cancelled\n            address { street postcode city }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyActions {\n    viewer {\n      rsvps(first: 100) {\n        nodes {\n          id\n          status\n          event {\n            id title kind startsAt endsAt cancelled\n            address { street postcode city }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExportMyData { exportMyData }\n"): (typeof documents)["\n  mutation ExportMyData { exportMyData }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestDeletionCode($email: String!) { requestLoginCode(email: $email) }\n"): (typeof documents)["\n  mutation RequestDeletionCode($email: String!) { requestLoginCode(email: $email) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteMyAccount($code: String!) { deleteMyAccount(code: $code) }\n"): (typeof documents)["\n  mutation DeleteMyAccount($code: String!) { deleteMyAccount(code: $code) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment NearbyEvent on Event {\n    id title kind startsAt distanceKm attendeeCount capacity\n    location { lat lon }\n    address { city }\n    organiser { displayName }\n  }\n"): (typeof documents)["\n  fragment NearbyEvent on Event {\n    id title kind startsAt distanceKm attendeeCount capacity\n    location { lat lon }\n    address { city }\n    organiser { displayName }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EventsNear($filter: EventFilter, $first: Int) {\n    events(filter: $filter, first: $first) {\n      edges { node { ...NearbyEvent } }\n    }\n  }\n"): (typeof documents)["\n  query EventsNear($filter: EventFilter, $first: Int) {\n    events(filter: $filter, first: $first) {\n      edges { node { ...NearbyEvent } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription EventsNearby($near: GeoPointInput!, $radiusKm: Float!) {\n    eventsNearby(near: $near, radiusKm: $radiusKm) { ...NearbyEvent }\n  }\n"): (typeof documents)["\n  subscription EventsNearby($near: GeoPointInput!, $radiusKm: Float!) {\n    eventsNearby(near: $near, radiusKm: $radiusKm) { ...NearbyEvent }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateEvent($input: CreateEventInput!) { createEvent(input: $input) { id } }\n"): (typeof documents)["\n  mutation CreateEvent($input: CreateEventInput!) { createEvent(input: $input) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Communes($postcode: String!) { communes(postcode: $postcode) { name centre { lat lon } } }\n"): (typeof documents)["\n  query Communes($postcode: String!) { communes(postcode: $postcode) { name centre { lat lon } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateGroup($input: CreateGroupInput!) { createGroup(input: $input) { id } }\n"): (typeof documents)["\n  mutation CreateGroup($input: CreateGroupInput!) { createGroup(input: $input) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NotificationSettings {\n    vapidPublicKey\n    viewer {\n      digest\n      calendarFeedUrl\n      notificationPreferences { kind email push }\n      pushSubscriptions { id endpoint createdAt lastSuccessAt }\n    }\n  }\n"): (typeof documents)["\n  query NotificationSettings {\n    vapidPublicKey\n    viewer {\n      digest\n      calendarFeedUrl\n      notificationPreferences { kind email push }\n      pushSubscriptions { id endpoint createdAt lastSuccessAt }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetNotificationPreferences($input: [NotificationPreferenceInput!]!, $digest: DigestFrequency) {\n    setNotificationPreferences(input: $input, digest: $digest) {\n      digest\n      notificationPreferences { kind email push }\n    }\n  }\n"): (typeof documents)["\n  mutation SetNotificationPreferences($input: [NotificationPreferenceInput!]!, $digest: DigestFrequency) {\n    setNotificationPreferences(input: $input, digest: $digest) {\n      digest\n      notificationPreferences { kind email push }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterPushSubscription($input: PushSubscriptionInput!) {\n    registerPushSubscription(input: $input) { id endpoint createdAt lastSuccessAt }\n  }\n"): (typeof documents)["\n  mutation RegisterPushSubscription($input: PushSubscriptionInput!) {\n    registerPushSubscription(input: $input) { id endpoint createdAt lastSuccessAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemovePushSubscription($id: ID!) { removePushSubscription(id: $id) }\n"): (typeof documents)["\n  mutation RemovePushSubscription($id: ID!) { removePushSubscription(id: $id) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetCalendarFeedUrl { resetCalendarFeedUrl { calendarFeedUrl } }\n"): (typeof documents)["\n  mutation ResetCalendarFeedUrl { resetCalendarFeedUrl { calendarFeedUrl } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OutcomeFields on EventOutcome {\n    leaflets doorsKnocked conversations posters signatures contacts notes reportedAt\n    reportedBy { displayName }\n  }\n"): (typeof documents)["\n  fragment OutcomeFields on EventOutcome {\n    leaflets doorsKnocked conversations posters signatures contacts notes reportedAt\n    reportedBy { displayName }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReportOutcome($eventId: ID!, $input: EventOutcomeInput!) {\n    reportOutcome(eventId: $eventId, input: $input) { id outcome { ...OutcomeFields } }\n  }\n"): (typeof documents)["\n  mutation ReportOutcome($eventId: ID!, $input: EventOutcomeInput!) {\n    reportOutcome(eventId: $eventId, input: $input) { id outcome { ...OutcomeFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) { homeLocation { lat lon } actionRadiusKm }\n  }\n"): (typeof documents)["\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) { homeLocation { lat lon } actionRadiusKm }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AcceptPledge { acceptPledge { hasAcceptedPledge } }\n"): (typeof documents)["\n  mutation AcceptPledge { acceptPledge { hasAcceptedPledge } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StatsActivity($groupBy: StatsDimension!, $filter: StatsFilter) {\n    stats {\n      activity(groupBy: $groupBy, filter: $filter) {\n        key label events rsvps participants participantsSuppressed perTenThousand doorsKnocked leaflets\n      }\n    }\n  }\n"): (typeof documents)["\n  query StatsActivity($groupBy: StatsDimension!, $filter: StatsFilter) {\n    stats {\n      activity(groupBy: $groupBy, filter: $filter) {\n        key label events rsvps participants participantsSuppressed perTenThousand doorsKnocked leaflets\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StatsBreakdown($groupBy: [StatsDimension!]!, $filter: StatsFilter) {\n    stats {\n      breakdown(groupBy: $groupBy, filter: $filter, first: 5000) { keys labels events }\n    }\n  }\n"): (typeof documents)["\n  query StatsBreakdown($groupBy: [StatsDimension!]!, $filter: StatsFilter) {\n    stats {\n      breakdown(groupBy: $groupBy, filter: $filter, first: 5000) { keys labels events }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StatsMembers($groupBy: StatsDimension, $filter: MembersFilter) {\n    stats {\n      members(groupBy: $groupBy, filter: $filter) { key label members newMembers active30d }\n    }\n  }\n"): (typeof documents)["\n  query StatsMembers($groupBy: StatsDimension, $filter: MembersFilter) {\n    stats {\n      members(groupBy: $groupBy, filter: $filter) { key label members newMembers active30d }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;