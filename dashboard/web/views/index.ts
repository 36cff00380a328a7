/** The views, in the order of the navigation. Each draws itself into the main element for a filter. */
import type { Filter, Granularity, Model } from '../data';
import type { StringKey } from '../i18n';
import { renderActivity } from './activity';
import { renderAnalysts } from './analysts';
import { renderContent } from './content';
import { renderConversation } from './conversation';
import { renderHours } from './hours';
import { renderMembers } from './members';
import { renderOverview } from './overview';
import { renderPeople } from './people';
import { renderReactions } from './reactions';
import { renderTopics } from './topics';

export interface ViewContext {
  readonly m: Model;
  readonly f: Filter;
  readonly el: HTMLElement;
  readonly gran: Granularity;
  setGran(g: Granularity): void;
  pickMember(member: number): void;
}

export const VIEWS = {
  overview: { label: 'viewOverview', render: renderOverview },
  activity: { label: 'viewActivity', render: renderActivity },
  members: { label: 'viewMembers', render: renderMembers },
  hours: { label: 'viewHours', render: renderHours },
  people: { label: 'viewPeople', render: renderPeople },
  content: { label: 'viewContent', render: renderContent },
  reactions: { label: 'viewReactions', render: renderReactions },
  conversation: { label: 'viewConversation', render: renderConversation },
  topics: { label: 'viewTopics', render: renderTopics },
  analysts: { label: 'viewAnalysts', render: renderAnalysts },
} satisfies Record<string, { label: StringKey; render: (ctx: ViewContext) => void }>;

export type ViewName = keyof typeof VIEWS;
