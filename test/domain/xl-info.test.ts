import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { iommuFromXlInfo } from '../../domain/xl-info.ts';

const test = suite('xl info');

const info = (virtCaps: string | null) =>
  [
    'host                   : xcp-ng-01',
    'release                : 4.19.0+1',
    'nr_cpus                : 16',
    ...(virtCaps === null ? [] : [`virt_caps              :${virtCaps}`]),
    'total_memory           : 65410',
    'xen_commandline        : dom0_mem=8192M,max:8192M watchdog ucode=scan dom0_max_vcpus=1-16 crashkernel=256M,below=4G',
    '',
  ].join('\n');

test('given virt_caps with hvm_directio, then the IOMMU is on', () => {
  assert.is(iommuFromXlInfo(info(' pv hvm hvm_directio pv_directio hap shadow iommu_hap_pt_share')), true);
});

test('given virt_caps without hvm_directio, then the IOMMU is off, even where pv_directio is listed', () => {
  assert.is(iommuFromXlInfo(info(' pv hvm hap shadow')), false);
  assert.is(iommuFromXlInfo(info(' pv hvm pv_directio')), false);
});

test('given an empty virt_caps, then the IOMMU is off', () => {
  assert.is(iommuFromXlInfo(info('')), false);
});

test('given no virt_caps line, then the IOMMU cannot be known', () => {
  assert.is(iommuFromXlInfo(info(null)), null);
  assert.is(iommuFromXlInfo(''), null);
});

test.run();
