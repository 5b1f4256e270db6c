/**
 * Chinese patterns that zxcvbn's English and common lists lack, as extra zxcvbn dictionaries (most common
 * first: the rank is the guess count). Written by hand after the widely published top lists of
 * Chinese password leaks (CSDN, 天涯 …) and the most frequent surnames and given names, romanised. The names
 * carry "passwords" and "names" so zxcvbn's feedback words them like its own lists.
 */

/** Passwords that top Chinese leak lists, and the love-number and keyboard patterns they are built from. */
const PASSWORDS = [
  '123456789', '12345678', '11111111', 'dearbook', '00000000', '123123123', '1234567890', '88888888', '111111111', '147258369',
  '987654321', 'aaaaaaaa', '1111111111', '66666666', 'a123456789', '11223344', '1qaz2wsx', 'xiazhili', '789456123', 'password',
  '87654321', 'qqqqqqqq', '000000000', 'qwertyuiop', 'qq123456', 'iloveyou', '31415926', '12344321', '0000000000', 'asdfghjkl',
  '1q2w3e4r', '123456abc', 'abc123456', 'a12345678', '123qwe', 'qwe123', 'a123456', '123456a', 'aa123456', '5201314',
  '1314520', '5211314', '520520', '521521', '1314521', '7758521', '7758258', '584520', '3344520', '520131400',
  'woaini', 'woaini1314', 'woaini520', 'woaini521', 'aini1314', 'woainima', 'woaiwojia', 'woaini123', 'wojiushiwo', 'woshishui',
  'nihao123', 'mima123', 'mima123456', 'zhang123', 'wang123', 'li123456', 'zxcvbnm', 'qazwsx', 'qazwsxedc', '159357',
  '147258', '258369', '168168', '888888', '666666', '123321', '654321', '112233', '121212', 'admin123',
  'admin888', 'root123', 'qwe123456', 'qwer1234', 'asd123', 'zxc123', 'abc123', '1a2b3c', 'a1b2c3', 'q1w2e3r4',
];

/** Romanised (pinyin) words people build passwords from: love, family, luck, places, the service itself. */
const PINYIN_WORDS = [
  'woaini', 'aini', 'mima', 'nihao', 'baobei', 'laopo', 'laogong', 'qinai', 'xingfu', 'kuaile', 'pingan', 'jiayou', 'yongyuan', 'aiqing',
  'tiantian', 'shengri', 'zhongguo', 'beijing', 'shanghai', 'guangzhou', 'shenzhen', 'tianjin', 'chongqing', 'hangzhou', 'nanjing', 'wuhan',
  'chengdu', 'xian', 'huiying', 'zhengfu', 'renmin', 'gongzuo', 'fuwu', 'zhengwu', 'shouji', 'diannao', 'mingzi', 'xiaobao', 'wode',
  'shijie', 'taiyang', 'yueliang', 'xingxing', 'xiaomao', 'xiaogou', 'fenghuang', 'long', 'laohu', 'jinbao', 'facai', 'caishen', 'ruyi',
  'jixiang', 'meimei', 'gege', 'jiejie', 'didi', 'mama', 'baba', 'yeye', 'nainai', 'pengyou', 'xuexiao', 'laoshi', 'xuesheng', 'tiankong',
  'haizi', 'jiating', 'kaixin', 'meili', 'shuai', 'piaoliang', 'yiqi', 'yisheng', 'yishi', 'zhenai', 'xiangni', 'daodi', 'wanan', 'zaoan',
];

/** The most frequent Chinese surnames, romanised. */
const SURNAMES = [
  'wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu', 'guo', 'he', 'gao', 'lin',
  'luo', 'zheng', 'liang', 'xie', 'song', 'tang', 'han', 'feng', 'deng', 'cao', 'peng', 'zeng', 'xiao', 'tian', 'dong', 'yuan', 'pan',
  'yu', 'jiang', 'cai', 'du', 'ye', 'cheng', 'wei', 'su', 'lu', 'ding', 'ren', 'shen', 'yao', 'jin', 'cui', 'zhong', 'tan', 'fan', 'wen',
  'fang', 'shi', 'bai', 'qin', 'kong', 'qiu', 'hou', 'meng', 'xiong', 'jia', 'mao', 'hao', 'gu', 'gong', 'shao', 'wan', 'qian', 'yan',
  'duan', 'lei', 'long', 'tao', 'he', 'mo', 'ouyang', 'situ', 'zhuge', 'shangguan',
];

/** Frequent given names, and the most common full names, romanised. */
const GIVEN_NAMES = [
  'wei', 'fang', 'na', 'xiuying', 'min', 'jing', 'li', 'qiang', 'lei', 'jun', 'yang', 'yong', 'yan', 'jie', 'juan', 'tao', 'ming', 'chao',
  'xiulan', 'xia', 'ping', 'gang', 'gui', 'ying', 'hua', 'hui', 'hong', 'ling', 'dan', 'xin', 'yu', 'hao', 'yi', 'bo', 'ning', 'lin',
  'feng', 'bin', 'hai', 'xiaoming', 'xiaohong', 'xiaoli', 'xiaoyan', 'xiaojun', 'jianguo', 'jianhua', 'jianjun', 'guoqiang', 'zhiqiang',
  'haiyan', 'guiying', 'lihua', 'yuying', 'xiuzhen', 'shuzhen', 'zhiming', 'wenjie', 'zihan', 'yuxuan', 'haoran', 'yichen', 'zixuan',
  'zhangwei', 'wangwei', 'wangfang', 'liwei', 'lina', 'zhangmin', 'lijing', 'wangjing', 'liuwei', 'wangxiuying', 'zhangli', 'lixiuying',
  'wangli', 'zhangjing', 'lijie', 'zhangxiuying', 'liqiang', 'wangmin', 'lijun', 'zhangyong', 'wanglei', 'liuyang', 'wangyong', 'liyan',
  'zhangjie', 'wangjun', 'liming', 'chenjie', 'liuying', 'zhanglei', 'wangqiang', 'zhangyan', 'liyang', 'wangyan', 'chenjing', 'liutao',
];

export const CHINESE_DICTIONARIES: Record<string, string[]> = {
  'passwords-zh': PASSWORDS,
  'commonWords-zh-pinyin': PINYIN_WORDS,
  'lastnames-zh': SURNAMES,
  'firstnames-zh': GIVEN_NAMES,
};
