// AMQP URLs carry credentials; anything the service logs about its broker goes through here first.

/** amqp://user:pass@host:5672/vhost -> amqp://***@host:5672/vhost (unparseable input is hidden entirely). */
export function redactUrl(url: string): string {
  // A password may hold an unescaped "/" or "@": userinfo runs to the last "@" (over-redacting beats a leak).
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^\s]*@)?(.*)$/i.exec(url);
  if (!match) return '<unparseable url>';
  const hadUserinfo = /^[a-z][a-z0-9+.-]*:\/\/[^\s]*@/i.test(url);
  return `${match[1]}${hadUserinfo ? '***@' : ''}${match[2]}`;
}

/** Scrubs every URL's userinfo inside free text (error messages can quote the URL they failed on). */
export function redactText(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s]*@/gi, '$1***@');
}
