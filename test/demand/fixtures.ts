/** Small demand corpora for the topic tests. */
import { TopicFeaturizer } from '../../src/demand/topic-features.ts';

/** One featurizer (one jieba instance) shared by the tests of a file. */
export const featurizer = new TopicFeaturizer();

export const HOUSING_FUND = [
  '离职了公积金能取出来吗',
  '住房公积金提取需要什么材料',
  '租房可以提取公积金吗，一年能取几次',
  '辞职后怎么把公积金全部取出来',
  '买房后可以提取公积金还贷款吗',
];

export const NIGHT_NOISE = [
  '晚上工地施工太吵了怎么投诉',
  '夜间施工噪音扰民找哪个部门',
  '工地凌晨两点还在施工可以举报吗',
  '我们小区旁边的建筑工地每天晚上都施工到凌晨一两点，打桩机的声音特别大，全家都休息不好，希望相关部门依法处理夜间违规施工。',
  '附近工地每天晚上十一点以后还在浇筑混凝土，施工噪音太大',
];

export const STREET_LIGHTS = [
  '路灯坏了找谁修',
  '小区门口的路灯一直不亮',
  '新修的路一直没装路灯，晚上出行很危险',
  '公园步道的路灯坏了很多，晚上散步看不见路',
];

export const PASSPORT = [
  'How do I apply for a passport?',
  'What documents do I need to renew my passport?',
  'My passport expired, how can I renew the passport?',
  'Where do I apply for a new passport for my child?',
];

export const NOISE = ['你是机器人吗', '今天天气怎么样', '博物馆需要预约吗', '彩票中奖了去哪里领', 'Where can I recycle old batteries?'];

/** Messages from plain texts. */
export function messages(texts: readonly string[]): Array<{ text: string }> {
  return texts.map((text) => ({ text }));
}
