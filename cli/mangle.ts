/**
 * libdevmapper's `auto` name mangling (mangle_string), for the MangledName/MangledUUID report
 * fields: characters outside `0-9A-Za-z#+-.:=@_` become `\xNN`, sequences already in that form
 * are kept, and a mixture of both is an error.
 */
import { MAX_NAME_BYTES, MAX_UUID_BYTES } from '../lib/device/names.js';

const WHITELIST = /^[0-9A-Za-z#+\-.:=@_]$/;

/** The mangled form of `value` (`what` is `name` or `UUID`, for the messages), or libdm's error line. */
export function mangleName(value: string, what: 'name' | 'UUID'): { mangled: string } | { error: string } {
  const bytes = Buffer.from(value);
  // DM_NAME_LEN or DM_UUID_LEN bytes, the NUL included.
  const room = (what === 'name' ? MAX_NAME_BYTES : MAX_UUID_BYTES) + 1;
  let needMangling: boolean | undefined;
  let out = '';
  const tooLong = { error: `Mangled form of the ${what} too long for "${value}".` };
  const mixed = { error: `The ${what} "${value}" contains mixed mangled and unmangled characters or it's already mangled improperly.` };
  for (let i = 0; i < bytes.length; i++) {
    const char = String.fromCharCode(bytes[i]!);
    if (char === '\\' && bytes[i + 1] === 0x78 /* x */) {
      if (bytes.length - i < 4 || needMangling === true) return mixed;
      if (room - out.length < 4) return tooLong;
      out += bytes.subarray(i, i + 4).toString('latin1');
      i += 3;
      needMangling = false;
      continue;
    }
    if (WHITELIST.test(char)) {
      if (room - out.length < 1) return tooLong;
      out += char;
    } else {
      if (needMangling === false) return mixed;
      if (room - out.length < 4) return tooLong;
      out += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
      needMangling = true;
    }
  }
  if (room - out.length < 1) return tooLong;
  return { mangled: needMangling ? out : value };
}
