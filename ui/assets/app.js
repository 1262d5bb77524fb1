() => {
  // A citation chip (anywhere: answer, sources, table of contents, search results) opens its section.
  // The chip's data-ref goes into the hidden textbox of its tab, whose change event loads the text.
  const open = (chip) => {
    const tab = chip.closest('#staff-panel') ? 'staff' : 'chat';
    const box = document.querySelector(`#${tab}-ref textarea, #${tab}-ref input`);
    if (!box) return;
    // Clear first, so that opening the same section again is still a change.
    for (const value of ['', chip.dataset.ref]) {
      box.value = value;
      box.dispatchEvent(new Event('input', { bubbles: true }));
    }
  };
  document.addEventListener('click', (e) => {
    const chip = e.target.closest('.cite-chip[data-ref]');
    if (chip) { e.preventDefault(); open(chip); }
  });
  document.addEventListener('keydown', (e) => {
    const chip = e.target.closest && e.target.closest('.cite-chip[data-ref]');
    if (chip && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); open(chip); }
  });
}
