// ECharts with only what the dashboard draws (tree-shaken: bar, line, pie on canvas).
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export { echarts };

/* The grades' colours, as the tags show them. */
export const GRADE_COLOURS = { g1: '#fadb14', g2: '#fa8c16', g3: '#f5222d', g4: '#820014' };
export const PALETTE = ['#1f5fbf', '#13a8a8', '#f0a020', '#d4380d', '#7b4fd6', '#52a52e', '#e5599b', '#5b6b7f'];
export const FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';
