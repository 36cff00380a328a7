/**
 * The bot's own membership changes (my_chat_member), as the Bot API documents ChatMemberUpdated: each
 * change classified, and losing access to a kept group logged as an error with the BotAccessLost metric.
 */
import { FirehoseClient, PutRecordCommand } from '@aws-sdk/client-firehose';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { botAccessChange } from '../../core/bot-access';
import { loadConfig } from '../../core/config';
import { memoryLogger } from '../../core/log';
import { FirehoseSink } from '../../adapters/aws/firehose-sink';
import { createWebhookHandler } from '../../handlers/webhook';

const BOT = { id: 7000000001, is_bot: true, first_name: 'Analytics', username: 'analytics_bot' };
const ADMIN_RIGHTS = { can_be_edited: false, is_anonymous: false, can_manage_chat: true, can_delete_messages: true, can_manage_video_chats: false, can_restrict_members: false, can_promote_members: false, can_change_info: false, can_invite_users: true, can_post_stories: false, can_edit_stories: false, can_delete_stories: false };
const member = (status: string, extra: Record<string, unknown> = {}) => ({ user: BOT, status, ...(status === 'administrator' ? ADMIN_RIGHTS : {}), ...extra });
const myChatMember = (chatId: number, from: object, to: object, updateId = 900100) => ({
  update_id: updateId,
  my_chat_member: { chat: { id: chatId, title: 'Grupo', type: 'supergroup' }, from: { id: 42, is_bot: false, first_name: 'Ana' }, date: 1780000000, old_chat_member: from, new_chat_member: to },
});

describe('botAccessChange', () => {
  it.each([
    ['member', {}, 'left', {}, 'removed', true],
    ['administrator', {}, 'kicked', { until_date: 0 }, 'removed', true],
    ['member', {}, 'restricted', { is_member: false, until_date: 0 }, 'removed', true],
    ['administrator', {}, 'member', {}, 'demoted', true],
    ['administrator', {}, 'restricted', { is_member: true, until_date: 0 }, 'demoted', true],
    ['left', {}, 'member', {}, 'added', false],
    ['left', {}, 'administrator', {}, 'promoted', false],
    ['member', {}, 'administrator', {}, 'promoted', false],
    ['member', {}, 'restricted', { is_member: true, until_date: 0 }, 'other', false],
  ] as const)('%s -> %s', (from, fromExtra, to, toExtra, change, lost) => {
    const update = myChatMember(-100, member(from, fromExtra), member(to, toExtra));
    expect(botAccessChange('my_chat_member', update.my_chat_member)).toEqual({ change, oldStatus: from, newStatus: to, lost });
  });

  it('is undefined for any other kind, and survives a payload without members', () => {
    expect(botAccessChange('chat_member', myChatMember(-100, member('member'), member('left')).my_chat_member)).toBeUndefined();
    expect(botAccessChange('my_chat_member', {})).toMatchObject({ change: 'other', oldStatus: 'unknown', newStatus: 'unknown', lost: false });
    expect(botAccessChange('my_chat_member', null)).toBeUndefined();
  });
});

describe('webhook: the bot losing access to a kept group', () => {
  const firehose = mockClient(FirehoseClient);
  beforeEach(() => {
    firehose.reset();
    firehose.on(PutRecordCommand).resolves({ RecordId: 'r', Encrypted: true });
  });
  const setup = () => {
    const logger = memoryLogger('webhook');
    const handler = createWebhookHandler({
      config: loadConfig({ ALLOWED_CHAT_IDS: '-1001', CONTEXT_UTC_OFFSET: '-03:00' }),
      sink: new FirehoseSink(new FirehoseClient({ region: 'us-east-1' }), 'raw'),
      logger,
      loadSecret: async () => 'secret',
    });
    const post = (body: object) =>
      handler({ rawPath: '/webhook', headers: { 'x-telegram-bot-api-secret-token': 'secret' }, body: JSON.stringify(body), isBase64Encoded: false, requestContext: { http: { method: 'POST' } } } as unknown as APIGatewayProxyEventV2);
    return { logger, post };
  };

  it('kept group: stored (200), an error naming the chat, and one BotAccessLost point with its Change', async () => {
    const { logger, post } = setup();
    expect((await post(myChatMember(-1001, member('administrator'), member('left')))).statusCode).toBe(200);
    expect(firehose.commandCalls(PutRecordCommand)).toHaveLength(1);
    expect(logger.lines.find((l) => l.event === 'bot_access_changed')).toMatchObject({ level: 'error', chat_id: -1001, change: 'removed', old_status: 'administrator', new_status: 'left', chat_allowed: true });
    const lost = logger.lines.filter((l) => l.event === 'bot_access_lost');
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ chat_id: -1001, BotAccessLost: 1, Change: 'removed' });
    expect(JSON.stringify(lost[0]!._aws)).toContain('"Dimensions":[["Change"]],"Metrics":[{"Name":"BotAccessLost","Unit":"Count"}]');

    await post(myChatMember(-1001, member('administrator'), member('member'), 900101));
    expect(logger.lines.filter((l) => l.event === 'bot_access_lost').at(-1)).toMatchObject({ Change: 'demoted' });
  });

  it('another group, or the bot added back: logged as information, no metric', async () => {
    const { logger, post } = setup();
    await post(myChatMember(-2002, member('member'), member('kicked')));
    await post(myChatMember(-1001, member('left'), member('administrator'), 900102));
    expect(logger.lines.filter((l) => l.event === 'bot_access_lost')).toHaveLength(0);
    expect(logger.lines.filter((l) => l.event === 'bot_access_changed').map((l) => [l.level, l.change, l.chat_allowed])).toEqual([['info', 'removed', false], ['info', 'promoted', true]]);
  });
});
