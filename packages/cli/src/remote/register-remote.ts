import type { Command } from 'commander';
import { registerLogin } from './commands/login.ts';
import { registerOrganizations } from './commands/organizations.ts';
import { registerUsers } from './commands/users.ts';
import { registerTokens } from './commands/tokens.ts';
import { registerSpaces } from './commands/spaces.ts';
import { registerCatalogs } from './commands/catalogs.ts';
import { registerAccess } from './commands/access.ts';
import { registerAudit } from './commands/audit.ts';
import { registerConnections } from './commands/connections.ts';
import { registerStacks } from './commands/stacks.ts';
import { registerAttachments } from './commands/attachments.ts';
import { registerCompletion } from './commands/completion.ts';

/**
 * The service commands (issue 17): each a client of a running trustgate through @trustgate/client, with the shared
 * options of remote-command.ts (`--url`, `--profile`, `--token-file`, `--output`). One line per command group.
 */
export function registerRemote(program: Command): void {
  registerLogin(program);
  registerOrganizations(program);
  registerUsers(program);
  registerTokens(program);
  registerSpaces(program);
  registerCatalogs(program);
  registerAccess(program);
  registerAudit(program);
  registerConnections(program);
  registerStacks(program);
  registerAttachments(program);
  registerCompletion(program);
}
