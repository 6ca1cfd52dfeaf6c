// Accessibility checks with axe-core: every main state of the e2e suite is scanned against the
// WCAG 2.0 and 2.1 level A and AA rules, and a violation fails the test with what to fix.

import AxeBuilder from '@axe-core/playwright';

// axe files "one main landmark" and "all content inside landmarks" under best practices, not
// under a WCAG tag; the product asks for both, so the best-practice rules run too.
const RULE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/** One line per violating node: rule, impact, selector and what axe says is wrong. */
export function describeViolations(violations) {
  return violations.flatMap((violation) => violation.nodes.map((node) =>
    `${violation.id} (${violation.impact}) at ${JSON.stringify(node.target)}: ${violation.help}`));
}

/** What axe finds on the page as it is now (the widget's open shadow roots included). */
export async function axeViolations(page) {
  const { violations } = await new AxeBuilder({ page }).withTags(RULE_TAGS).analyze();
  return violations;
}

/**
 * Runs axe on the page as it is now (the widget's open shadow roots included) and fails with a
 * readable list when a WCAG A/AA rule is violated. `stateName` names the state in the message.
 */
export async function expectNoAxeViolations(page, stateName) {
  const violations = await axeViolations(page);
  if (violations.length > 0) {
    throw new Error(`axe found accessibility violations in "${stateName}":\n  ${describeViolations(violations).join('\n  ')}`);
  }
}
