/** The reaction picker's emoji, with the words a screen reader says for each. */
export const REACTION_EMOJI: readonly { readonly emoji: string; readonly name: string }[] = [
  { emoji: '👍', name: 'thumbs up' },
  { emoji: '❤️', name: 'heart' },
  { emoji: '😂', name: 'laughing' },
  { emoji: '🎉', name: 'party' },
  { emoji: '😮', name: 'surprised' },
  { emoji: '😢', name: 'sad' },
];
