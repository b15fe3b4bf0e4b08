import type { Typist } from '../state/chat-state.ts';
import { useChatState } from './chat-context.ts';

const NOBODY: readonly Typist[] = [];

/** `bob is typing…` under a conversation, while anyone else is. */
export function TypingLine({ sessionId }: { sessionId: string }) {
  const typists = useChatState((state) => state.typing[sessionId] ?? NOBODY);
  const names = typists.map((typist) => typist.username);
  const text =
    names.length === 0
      ? ''
      : names.length === 1
        ? `${names[0]} is typing…`
        : names.length === 2
          ? `${names[0]} and ${names[1]} are typing…`
          : 'Several people are typing…';
  return (
    <div class="typing" aria-live="polite">
      {text}
    </div>
  );
}
