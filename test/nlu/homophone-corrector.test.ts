import { describe, expect, it } from 'vitest';
import { TextPipeline } from '../../src/nlu/text-pipeline.ts';

const knowledge = ['儿童疫苗接种要带什么', '孩子转学怎么办理', '无偿献血的年龄要求', '个体工商户营业执照怎么办', '企业信息公示怎么填'];

function pipeline(): TextPipeline {
  const plain = new TextPipeline();
  return new TextPipeline({ vocabulary: knowledge.flatMap((t) => plain.words(t)) });
}

describe('homophone correction', () => {
  it('corrects the same-sounding typos citizens make when typing by pinyin', () => {
    const p = pipeline();
    expect(p.prepare('打完役苗要在医院待多久').normalized).toBe('打完疫苗要在医院待多久');
    expect(p.prepare('专学手续').normalized).toBe('转学手续');
    expect(p.prepare('我今年58了还能现血吗').normalized).toContain('献血');
  });

  it('counts z and zh alike, as southern speakers type them', () => {
    expect(pipeline().prepare('执造网上能申请吗').normalized).toBe('执照网上能申请吗');
  });

  it('leaves real words alone even when they sound like a knowledge-base word', () => {
    const p = pipeline();
    expect(p.prepare('公式怎么算').normalized).toBe('公式怎么算');
    expect(p.prepare('企业信息公示').normalized).toBe('企业信息公示');
  });

  it('changes nothing without a vocabulary', () => {
    expect(new TextPipeline().prepare('打完役苗').normalized).toBe('打完役苗');
  });
});
