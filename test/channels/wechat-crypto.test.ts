import { describe, expect, it } from 'vitest';
import { wechatChannel } from '../../channels/wechat/index.ts';
import { DecryptError, MessageCrypto, signatureMatches, wechatSignature } from '../../channels/wechat/message-crypto.ts';
import { parseWeChatXml } from '../../channels/wechat/wechat-xml.ts';
import { ConfigError } from '../../src/config.ts';
import type { ChannelDeps } from '../../src/server/channel-adapter.ts';
import { wechatDecrypt, wechatEncrypt } from '../fakes/wechat-callback.ts';

// WeChat's official message-encryption sample (WXBizMsgCrypt): the key, AppIDs and ciphertexts below are its published test vectors.
const SAMPLE_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const OTHER_KEY = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';

describe('wechat signatures', () => {
  it('matches the official sample msg_signature over token, timestamp, nonce and Encrypt', () => {
    const encrypt =
      'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=';
    expect(wechatSignature('spamtest', '1409735669', '1320562132', encrypt)).toBe('5d197aaffba7e9b25a30732f161a50dee96bd5fa');
    // …and decrypts it to the sample's message, whose 64-bit MsgId stays exact.
    const { xml } = new MessageCrypto([SAMPLE_KEY], 'wx2c2769f8efd9abc2').decrypt(encrypt);
    const fields = parseWeChatXml(xml);
    expect(fields).toMatchObject({ FromUserName: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs', MsgType: 'text', Content: 'abcdteT', MsgId: '6054768590064713728' });
  });

  it('accepts only the exact signature', () => {
    const good = wechatSignature('token', '1700000000', '42');
    expect(signatureMatches(good, good)).toBe(true);
    expect(signatureMatches(good.toUpperCase(), good)).toBe(true);
    expect(signatureMatches(wechatSignature('token', '1700000001', '42'), good)).toBe(false);
    expect(signatureMatches(undefined, good)).toBe(false);
    expect(signatureMatches(['a'], good)).toBe(false);
    expect(signatureMatches(good.slice(1), good)).toBe(false);
  });
});

describe('wechat safe-mode encryption', () => {
  it('reproduces the official sample ciphertext for a fixed random prefix', () => {
    const crypto = new MessageCrypto([SAMPLE_KEY], 'wxb11529c136998cb6');
    const encrypted = crypto.encrypt('我是中文abcd123', 0, Buffer.from('aaaabbbbccccdddd'));
    expect(encrypted).toBe('jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==');
    expect(crypto.decrypt(encrypted)).toEqual({ xml: '我是中文abcd123', keyIndex: 0 });
  });

  it('round-trips with an independent implementation in both directions', () => {
    const crypto = new MessageCrypto([OTHER_KEY], 'wx1234567890abcdef');
    const xml = '<xml><Content><![CDATA[居住证怎么办理？]]></Content></xml>';
    expect(crypto.decrypt(wechatEncrypt(OTHER_KEY, 'wx1234567890abcdef', xml)).xml).toBe(xml);
    expect(wechatDecrypt(OTHER_KEY, crypto.encrypt(xml))).toEqual({ xml, appId: 'wx1234567890abcdef' });
  });

  it('opens a message encrypted with the previous key during rotation, and says which key did', () => {
    const crypto = new MessageCrypto([OTHER_KEY, SAMPLE_KEY], 'wx1234567890abcdef');
    const decrypted = crypto.decrypt(wechatEncrypt(SAMPLE_KEY, 'wx1234567890abcdef', '<xml/>'));
    expect(decrypted).toEqual({ xml: '<xml/>', keyIndex: 1 });
    // The reply goes back under the key the citizen's message used.
    expect(wechatDecrypt(SAMPLE_KEY, crypto.encrypt('<xml>reply</xml>', decrypted.keyIndex)).xml).toBe('<xml>reply</xml>');
  });

  it('refuses messages for another AppID, under an unknown key, or tampered with', () => {
    const crypto = new MessageCrypto([SAMPLE_KEY], 'wx1234567890abcdef');
    expect(() => crypto.decrypt(wechatEncrypt(SAMPLE_KEY, 'wxffffffffffffffff', '<xml/>'))).toThrow(DecryptError);
    expect(() => crypto.decrypt(wechatEncrypt(OTHER_KEY, 'wx1234567890abcdef', '<xml/>'))).toThrow(DecryptError);
    const good = Buffer.from(wechatEncrypt(SAMPLE_KEY, 'wx1234567890abcdef', '<xml>hello</xml>'), 'base64');
    good.writeUInt8(good.readUInt8(good.length - 1) ^ 0xff, good.length - 1);
    expect(() => crypto.decrypt(good.toString('base64'))).toThrow(DecryptError);
    expect(() => crypto.decrypt('not base64 at all')).toThrow(DecryptError);
  });
});

describe('wechat configuration', () => {
  const deps = {} as ChannelDeps;
  const base = { WECHAT_TOKEN: 'huiyingtoken', WECHAT_APP_ID: 'wx1234567890abcdef', WECHAT_APP_SECRET: 'secret-0123456789' };

  it('stays off without WECHAT_TOKEN', async () => {
    expect(await wechatChannel.create({ WECHAT_APP_ID: 'wx1234567890abcdef' }, deps)).toBeNull();
  });

  it('names the variable that is wrong', async () => {
    await expect(wechatChannel.create({ ...base, WECHAT_ENCODING_AES_KEY: 'too-short' }, deps)).rejects.toThrow(ConfigError);
    await expect(wechatChannel.create({ ...base, WECHAT_ENCODING_AES_KEY: 'too-short' }, deps)).rejects.toThrow(/WECHAT_ENCODING_AES_KEY/);
    await expect(wechatChannel.create({ WECHAT_TOKEN: 'huiyingtoken' }, deps)).rejects.toThrow(/WECHAT_APP_ID/);
    await expect(wechatChannel.create({ ...base, WECHAT_ENCODING_AES_KEY_PREVIOUS: SAMPLE_KEY }, deps)).rejects.toThrow(/WECHAT_ENCODING_AES_KEY_PREVIOUS/);
    await expect(wechatChannel.create({ ...base, WECHAT_REPLY_BUDGET_MS: '6000' }, deps)).rejects.toThrow(/WECHAT_REPLY_BUDGET_MS/);
  });

  it('starts in safe mode with a valid key', async () => {
    const adapter = await wechatChannel.create({ ...base, WECHAT_ENCODING_AES_KEY: SAMPLE_KEY }, deps);
    expect(adapter).toMatchObject({ name: 'wechat', capabilities: { buttons: false, richLinks: false } });
  });
});
