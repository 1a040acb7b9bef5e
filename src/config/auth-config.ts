// authkeys as parsed (parse-authkeys.ts): the keys that sign and check every message.

export type AuthMethod = 'crc' | 'md5' | 'sha1' | 'sha256' | 'sha512';

export interface AuthKey {
  readonly index: number; // 0..15
  readonly method: AuthMethod;
  /** Raw secret bytes as written (latin1); empty for crc. */
  readonly secret: string;
}

export interface AuthConfig {
  readonly file: string;
  /** Index named by the `auth N` line: the key that signs what we send. */
  readonly activeIndex: number;
  readonly keys: ReadonlyMap<number, AuthKey>;
}
