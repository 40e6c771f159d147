// Telegram Bot API object shapes, as far as the sandbox produces them.
// Field names follow https://core.telegram.org/bots/api exactly (snake_case).

export interface User {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export type ChatType = "private" | "group" | "supergroup";

export interface Chat {
  id: number;
  type: ChatType;
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
}

export interface MessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
}

export interface InlineKeyboardButton {
  text: string;
  callback_data?: string;
  url?: string;
  [field: string]: unknown;
}

export interface InlineKeyboardMarkup {
  inline_keyboard: InlineKeyboardButton[][];
}

/** Any of InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove, ForceReply. */
export interface ReplyMarkup {
  inline_keyboard?: InlineKeyboardButton[][];
  keyboard?: unknown[][];
  remove_keyboard?: boolean;
  force_reply?: boolean;
  [field: string]: unknown;
}

export interface PhotoSize {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size?: number;
}

export interface Document {
  file_id: string;
  file_unique_id: string;
  file_name?: string;
  mime_type?: string;
  file_size?: number;
}

export interface Sticker {
  file_id: string;
  file_unique_id: string;
  type: "regular";
  width: number;
  height: number;
  is_animated: boolean;
  is_video: boolean;
  emoji?: string;
  set_name?: string;
  file_size?: number;
}

export interface Voice {
  file_id: string;
  file_unique_id: string;
  duration: number;
  mime_type?: string;
  file_size?: number;
}

export interface Location {
  latitude: number;
  longitude: number;
}

export interface Contact {
  phone_number: string;
  first_name: string;
  last_name?: string;
  user_id?: number;
}

/** What a message carries besides its identity (id, chat, date). */
export interface MessageContent {
  from?: User;
  reply_to_message?: Message;
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  caption_entities?: MessageEntity[];
  document?: Document;
  photo?: PhotoSize[];
  sticker?: Sticker;
  voice?: Voice;
  location?: Location;
  contact?: Contact;
  reply_markup?: InlineKeyboardMarkup;
}

export interface Message extends MessageContent {
  message_id: number;
  chat: Chat;
  date: number;
  edit_date?: number;
}

export interface CallbackQuery {
  id: string;
  from: User;
  message?: Message;
  chat_instance: string;
  data?: string;
}

export interface ChatMember {
  user: User;
  status: "member" | "kicked";
  until_date?: number;
}

export interface ChatMemberUpdated {
  chat: Chat;
  from: User;
  date: number;
  old_chat_member: ChatMember;
  new_chat_member: ChatMember;
}

/** An update without its id: exactly one of these fields is set. */
export type UpdateBody =
  | { message: Message }
  | { edited_message: Message }
  | { callback_query: CallbackQuery }
  | { my_chat_member: ChatMemberUpdated };

export type Update = { update_id: number } & UpdateBody;

export type MessageKind = "text" | "sticker" | "photo" | "voice" | "document" | "location" | "contact";

export interface BotCommand {
  command: string;
  description: string;
}
