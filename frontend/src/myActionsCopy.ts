// Where "Mes actions" keeps its copy on the device (see screens/MyActions),
// apart from the screen so that signing out forgets it without loading it.

/** The localStorage key of the copy. */
export const MY_ACTIONS_KEY = 'cortege.myActions';

export function forgetMyActions(): void {
  localStorage.removeItem(MY_ACTIONS_KEY);
}
