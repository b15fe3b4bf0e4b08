/** Warren's mark and name, as the login page and the sidebar show them. */
export function Brand() {
  return (
    <div class="brand">
      <span class="brand-mark" aria-hidden="true">
        W
      </span>
      <span class="brand-name">Warren</span>
    </div>
  );
}
