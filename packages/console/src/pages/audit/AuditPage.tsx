/** The audit log of the organization, with filters. A placeholder of the shell: the page itself is built on top of it (see README.md, "Adding a page"). */
export default function AuditPage() {
  return (
    <>
      <h1>Audit</h1>
      <p>The audit log of the organization, with filters. This page is not built yet.</p>
    </>
  );
}
