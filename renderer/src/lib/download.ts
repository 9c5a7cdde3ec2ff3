/** The object URL of the last file handed out: freed when the next one is made. */
let lastUrl: string | null = null;

/**
 * Hands the user a file made in the page (a Blob behind an object URL, through a link with
 * `download`): the browser saves it, Electron asks where. No server and no file system access.
 */
export function downloadText(fileName: string, type: string, text: string): void {
  if (lastUrl) URL.revokeObjectURL(lastUrl);
  const url = URL.createObjectURL(new Blob([text], { type }));
  lastUrl = url;
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}
