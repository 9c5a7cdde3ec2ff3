/** Why a URL can't be downloaded, in words; null when it can. */
export function urlProblem(text: string): string | null {
  const value = text.trim();
  if (value === '') return 'Enter the address of the file to download.';
  if (!URL.canParse(value))
    return 'That is not a web address. Paste a full link such as https://example.com/file.iso.';
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `Pathwise downloads over http:// and https:// only, not ${url.protocol}//.`;
  }
  if (!url.hostname) return 'The address has no host name.';
  return null;
}
