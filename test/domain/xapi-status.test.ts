import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DOM0_ACCESS_STATUSES } from '../../domain/dom0-access.ts';
import { XAPI_DOM0_ACCESS, xapiDom0Access } from '../../domain/xapi-status.ts';

const test = suite('dom0 access status by XAPI’s enum names');

test('each design name has its XAPI name: the "_on_reboot" states drop the past tense', () => {
  assert.equal(
    DOM0_ACCESS_STATUSES.map((status) => [status, xapiDom0Access(status)]),
    [
      ['enabled', 'enabled'],
      ['disabled', 'disabled'],
      ['enabled_on_reboot', 'enable_on_reboot'],
      ['disabled_on_reboot', 'disable_on_reboot'],
    ],
  );
});

test('the mapping is one to one onto XAPI’s four names', () => {
  assert.equal(new Set(DOM0_ACCESS_STATUSES.map(xapiDom0Access)), new Set(XAPI_DOM0_ACCESS));
});

test.run();
