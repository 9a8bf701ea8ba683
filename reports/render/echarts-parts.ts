/**
 * The parts of Apache ECharts that charts.ts draws with, registered on `echarts/core`: line, bar,
 * scatter and custom series; grid (value, log and category axes), legend (plain and scroll),
 * markLine, markArea, title and tooltip; the label layout and the grid's containLabel option; the
 * SVG renderer.
 *
 * The build bundles this module alone into dist/vendor/echarts.cjs (minified CommonJS, 0.65 MB
 * against the whole package's 3.8 MB), which charts.ts loads: a process that writes HTML starts
 * drawing about 0.1 s sooner. A chart option that needs a part not listed here would be drawn
 * without it; test/unit/echarts-parts.test.ts draws every chart with these parts and with the whole
 * package and requires the same SVG.
 */
import { use } from 'echarts/core';
import { BarChart, CustomChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { LabelLayout, LegacyGridContainLabel } from 'echarts/features';
import { SVGRenderer } from 'echarts/renderers';

use([
  LineChart,
  BarChart,
  ScatterChart,
  CustomChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  MarkAreaComponent,
  TitleComponent,
  TooltipComponent,
  LabelLayout,
  LegacyGridContainLabel,
  SVGRenderer,
]);

export * from 'echarts/core';
