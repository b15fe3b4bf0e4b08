/** A problem in words, announced to screen readers; nothing when there is none. */
export function ErrorText({ message }: { message: string | undefined }) {
  if (message === undefined) return null;
  return (
    <p class="error-text" role="alert">
      {message}
    </p>
  );
}
