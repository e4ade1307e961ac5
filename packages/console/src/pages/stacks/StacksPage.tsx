/** Stacks and their attachments to connections, with recent credential issuances. A placeholder of the shell: the page itself is built on top of it (see README.md, "Adding a page"). */
export default function StacksPage() {
  return (
    <>
      <h1>Stacks</h1>
      <p>Stacks and their attachments to connections, with recent credential issuances. This page is not built yet.</p>
    </>
  );
}
